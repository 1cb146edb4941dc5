package io.leadflame.bench;

import io.leadflame.testing.JournalRows;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The journal's own ceiling: plain JDBC batched inserts (1,000 rows a batch, one transaction
 * each) of rows shaped like the server's journal rows — same column sizes on average — into a
 * fresh {@code event_journal} with the plugin's DDL, on the same database engine and disk. What
 * pekko-persistence-jdbc, the actors and HTTP add on top is the rest of the batched ingestion's
 * cost; "batched events/s ÷ these rows/s" is the ratio issue 5 asks for.
 */
final class RawInsert {

    static final int BATCH = 1_000;
    /** The contact entities' rows; the sharding remember-entities rows share the table. */
    private static final String CONTACT_ROWS = "Contact|%";

    /** The average journal row of the contacts, read from the server's journal after its phase. */
    record RowShape(long rows, long events, double payloadBytes, double persistenceIdChars, double writerChars,
                    double manifestChars, int serializerId) {
    }

    /**
     * Which persistence id each row goes to: {@code contacts} ids in turn (the ids of a batch are
     * neighbours in the index), or drawn at random from {@code contacts} ids, the order a load of
     * random contacts writes the journal in (each row of a batch lands on another index page).
     */
    record Order(int contacts, boolean random) {
        static final Order ROUND_ROBIN = new Order(100_000, false);

        String describe() {
            return random ? String.format("random over %,d contacts", contacts)
                    : String.format("%,d contacts in turn", contacts);
        }
    }

    /** The result of a run: rows per second, over how many rows and seconds. */
    record Rate(double rowsPerSecond, long rows, double seconds) {
    }

    private RawInsert() {
    }

    // ---- reading the journal

    static RowShape h2Shape(String url) throws SQLException {
        return shape(DriverManager.getConnection(url, "sa", ""), "\"event_journal\"", "\"persistence_id\"",
                "\"event_payload\"", "\"writer\"", "\"event_ser_manifest\"", "\"event_ser_id\"");
    }

    static RowShape postgresShape(String url) throws SQLException {
        return shape(DriverManager.getConnection(url, "postgres", ""), "public.event_journal", "persistence_id",
                "event_payload", "writer", "event_ser_manifest", "event_ser_id");
    }

    private static RowShape shape(Connection connection, String table, String pid, String payload, String writer,
                                  String manifest, String serId) throws SQLException {
        try (Connection c = connection; Statement s = c.createStatement()) {
            long rows;
            double payloadBytes;
            double pidChars;
            double writerChars;
            double manifestChars;
            int serializer;
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*), AVG(OCTET_LENGTH(" + payload + ")), AVG(CHAR_LENGTH("
                    + pid + ")), AVG(CHAR_LENGTH(" + writer + ")), AVG(CHAR_LENGTH(" + manifest + ")), MIN(" + serId
                    + ") FROM " + table + " WHERE " + pid + " LIKE '" + CONTACT_ROWS + "'")) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    throw new IllegalStateException("the journal has no contact rows to take the shape of");
                }
                rows = rs.getLong(1);
                payloadBytes = rs.getDouble(2);
                pidChars = rs.getDouble(3);
                writerChars = rs.getDouble(4);
                manifestChars = rs.getDouble(5);
                serializer = rs.getInt(6);
            }
            return new RowShape(rows, events(c, table, pid, payload, manifest, serId), payloadBytes, pidChars, writerChars,
                    manifestChars, serializer);
        }
    }

    /** The contact events the rows hold ({@link JournalRows}: a row holds a request's events for a contact). */
    private static long events(Connection c, String table, String pid, String payload, String manifest, String serId)
            throws SQLException {
        c.setAutoCommit(false); // PostgreSQL streams a result only inside a transaction
        try (Statement s = c.createStatement()) {
            s.setFetchSize(10_000);
            long events = 0;
            try (ResultSet rs = s.executeQuery("SELECT " + serId + ", " + manifest + ", " + payload + " FROM " + table
                    + " WHERE " + pid + " LIKE '" + CONTACT_ROWS + "'")) {
                while (rs.next()) {
                    events += JournalRows.contactEvents(rs.getInt(1), rs.getString(2), rs.getBytes(3));
                }
            }
            c.rollback();
            return events;
        }
    }

    // ---- the baseline runs

    /**
     * Into a fresh H2 file database at {@code url} (a file of its own next to the server's, same
     * URL options), with the {@code event_journal} statements of the plugin's shipped
     * {@code schema/h2/h2-create-schema.sql}.
     */
    static Rate onH2(String url, RowShape shape, Order order, Duration duration) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            createTable(c, classpath("schema/h2/h2-create-schema.sql"), s -> s);
            try {
                return run(c, "INSERT INTO \"event_journal\" (\"deleted\", \"persistence_id\", \"sequence_number\", "
                        + "\"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\", "
                        + "\"event_ser_manifest\") VALUES (FALSE, ?, ?, ?, ?, '', ?, ?, ?)", shape, order, duration);
            } finally {
                // DB_CLOSE_DELAY=-1 keeps the database open after the last connection: close it.
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    s.execute("SHUTDOWN");
                }
            }
        }
    }

    /**
     * Into a fresh schema {@code bench_raw} of the server's own PostgreSQL database, with the
     * {@code event_journal} statements of Leadflame's schema script, through a connection with the
     * same driver property as the server's pool ({@code reWriteBatchedInserts}).
     */
    static Rate onPostgres(String url, RowShape shape, Order order, Duration duration) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("password", "");
        props.setProperty("reWriteBatchedInserts", "true");
        try (Connection c = DriverManager.getConnection(url, props)) {
            try (Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS bench_raw CASCADE");
                s.execute("CREATE SCHEMA bench_raw");
            }
            createTable(c, classpath("schema/leadflame-postgres-schema.sql"), s -> s.replace("public.", "bench_raw."));
            try {
                return run(c, "INSERT INTO bench_raw.event_journal (deleted, persistence_id, sequence_number, writer, "
                        + "write_timestamp, adapter_manifest, event_payload, event_ser_id, event_ser_manifest) "
                        + "VALUES (FALSE, ?, ?, ?, ?, '', ?, ?, ?)", shape, order, duration);
            } finally {
                try (Statement s = c.createStatement()) {
                    c.setAutoCommit(true);
                    s.execute("DROP SCHEMA bench_raw CASCADE");
                }
            }
        }
    }

    private static void createTable(Connection c, String script, UnaryOperator<String> adapt)
            throws SQLException {
        // Comment lines first (a comment may hold a semicolon), then one statement per semicolon.
        String code = script.lines().filter(l -> !l.strip().startsWith("--")).collect(Collectors.joining("\n"));
        List<String> statements = Arrays.stream(code.split(";")).map(String::strip)
                .filter(s -> s.contains("event_journal") && !s.contains("event_tag"))
                .map(adapt).toList();
        try (Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    /**
     * Batches of {@link #BATCH} rows, one commit each, until {@code duration} is over, each row
     * the next event of the persistence id {@code order} picks, so the primary key index grows
     * over as many keys as the journal's does.
     */
    private static Rate run(Connection c, String insert, RowShape shape, Order order, Duration duration)
            throws SQLException {
        c.setAutoCommit(false);
        int contacts = order.contacts();
        long[] sequenceNumbers = new long[contacts];
        Random pick = new Random(2);
        byte[] payload = new byte[(int) Math.round(shape.payloadBytes())];
        new Random(1).nextBytes(payload);
        String writer = pad("w", (int) Math.round(shape.writerChars()));
        String manifest = pad("m", (int) Math.round(shape.manifestChars()));
        int pidWidth = (int) Math.round(shape.persistenceIdChars());
        String[] pids = new String[contacts];
        for (int i = 0; i < contacts; i++) {
            pids[i] = pad("Contact|raw/c-" + i + "-", pidWidth);
        }
        long rows = 0;
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        try (PreparedStatement ps = c.prepareStatement(insert)) {
            while (System.nanoTime() < end) {
                for (int i = 0; i < BATCH; i++, rows++) {
                    int contact = order.random() ? pick.nextInt(contacts) : (int) (rows % contacts);
                    ps.setString(1, pids[contact]);
                    ps.setLong(2, ++sequenceNumbers[contact]);
                    ps.setString(3, writer);
                    ps.setLong(4, System.currentTimeMillis());
                    ps.setBytes(5, payload);
                    ps.setInt(6, shape.serializerId());
                    ps.setString(7, manifest);
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Rate(rows / seconds, rows, seconds);
    }

    private static String pad(String prefix, int width) {
        StringBuilder s = new StringBuilder(prefix);
        while (s.length() < width) {
            s.append('x');
        }
        return s.toString();
    }

    private static String classpath(String resource) {
        try (InputStream in = RawInsert.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
