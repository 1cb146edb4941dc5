package io.leadflame.cluster;

import io.leadflame.persistence.JournalIds;
import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Whether this node's journal database answers, known before anything is written to it: every
 * {@code leadflame.journal-watch.interval} a {@code SELECT 1} on a connection of its own (bounded
 * by {@code timeout}), and after {@code down-after} failures in a row the journal counts as down
 * until one answers again.
 *
 * <p>Its own connection, not the journal's pool: a pool busy with an import must not look like a
 * database that is down (the readiness probe, which goes through the pool, says when the node
 * is saturated). Once down, it counts as up again only when the pool answers too.
 *
 * <p>Without the watch a database outage cost every write the whole write timeout (60 s): the
 * journal plugin's failure stops the contact, which then never answers. With it,
 * writes are refused at once while the journal is down, and writes already waiting are let go
 * when it goes down, both answered {@code 503} with {@code Retry-After} (DECISIONS.md, "The
 * journal down").
 */
public final class JournalWatch implements Extension {

    private static final Logger LOG = LoggerFactory.getLogger(JournalWatch.class);

    private static final ExtensionId<JournalWatch> ID = new ExtensionId<>() {
        @Override
        public JournalWatch createExtension(ActorSystem<?> system) {
            return new JournalWatch(system);
        }
    };

    private final Readiness.Check poolProbe;
    private final String url;
    private final Properties connectionProperties;
    private final int timeoutSeconds;
    private final int downAfter;
    private final Set<Runnable> waiting = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService thread;
    /** Why the journal counts as down; null while it answers. */
    private volatile String down;
    /** Only the watch's thread touches these. */
    private Connection connection;
    private int failedInARow;

    private JournalWatch(ActorSystem<?> system) {
        Config config = system.settings().config();
        Config watch = config.getConfig("leadflame.journal-watch");
        this.url = config.getString("pekko-persistence-jdbc.shared-databases.slick.db.url");
        this.timeoutSeconds = (int) Math.max(1, watch.getDuration("timeout").toSeconds());
        this.downAfter = watch.getInt("down-after");
        this.poolProbe = Readiness.journalAnswers(system, watch.getDuration("timeout"));
        // Bounded connect and reads: an unreachable server must fail the probe, not hang it.
        this.connectionProperties = JournalIds.connectionProperties(config, timeoutSeconds);
        long interval = watch.getDuration("interval").toMillis();
        this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "leadflame-journal-watch");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::probe, interval, interval, TimeUnit.MILLISECONDS);
        system.getWhenTerminated().thenRun(() -> {
            thread.shutdownNow();
            closeConnection();
        });
    }

    public static JournalWatch get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** Why the journal counts as down, or empty while it answers. */
    public Optional<String> down() {
        return Optional.ofNullable(down);
    }

    /**
     * Runs {@code letGo} once if the journal goes down before {@link #doneWaiting} is called with
     * it (a write waiting for its contacts gives up then instead of at its timeout).
     */
    public void whileWaiting(Runnable letGo) {
        waiting.add(letGo);
        if (down != null && waiting.remove(letGo)) {
            letGo.run();
        }
    }

    public void doneWaiting(Runnable letGo) {
        waiting.remove(letGo);
    }

    private void probe() {
        String failure;
        try {
            failure = answers();
            if (failure == null && down != null) {
                // Back up only once the journal's own pool has working connections again: until
                // then its writes still fail, and a contact whose write fails stops unanswered.
                failure = poolAnswers();
            }
        } catch (RuntimeException e) {
            // Whatever happens, the next probe is scheduled (scheduleWithFixedDelay stops on a throw).
            failure = e.toString();
        }
        if (failure == null) {
            failedInARow = 0;
            if (down != null) {
                LOG.info("The journal's database answers again");
                down = null;
            }
            return;
        }
        if (++failedInARow >= downAfter && down == null) {
            down = failure;
            LOG.warn("The journal's database counts as down after {} failed probes ({}); writes are answered 503 "
                    + "until it answers again", failedInARow, failure);
            for (Runnable letGo : waiting) {
                if (waiting.remove(letGo)) {
                    letGo.run();
                }
            }
        }
    }

    /** Null when the database answered {@code SELECT 1} within the timeout; otherwise why not. */
    private String answers() {
        try {
            if (connection == null || connection.isClosed()) {
                connection = DriverManager.getConnection(url, connectionProperties);
            }
            try (Statement s = connection.createStatement()) {
                s.setQueryTimeout(timeoutSeconds);
                s.execute("SELECT 1");
            }
            return null;
        } catch (SQLException e) {
            closeConnection();
            return e.getMessage();
        }
    }

    /** Null when the journal answers its readiness query through its pool; otherwise why not. */
    private String poolAnswers() {
        try {
            Readiness.Result result = poolProbe.run().toCompletableFuture()
                    .get(timeoutSeconds + 1L, TimeUnit.SECONDS);
            return result.ready() ? null : result.reason();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return e.toString();
        }
    }

    private void closeConnection() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // already broken
            }
        }
    }
}
