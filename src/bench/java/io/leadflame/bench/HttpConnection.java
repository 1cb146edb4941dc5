package io.leadflame.bench;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection over a plain blocking socket, used by one thread: writes a
 * request that is already encoded (headers and body) and reads the answer into a buffer it
 * reuses. Nothing is allocated per exchange once the buffer has grown to the largest answer.
 *
 * <p>Why not {@code java.net.http.HttpClient}: on a 2-core machine that the load generator shares
 * with the server, its per-request objects, futures and selector thread cost a large share of the
 * CPU the server needs, and the benchmark would measure the client. A blocking socket per thread
 * costs a write and a read system call per request. Only answers with a {@code Content-Length}
 * are read: Pekko HTTP gives every strict entity one, and all answers here are strict.
 */
final class HttpConnection implements Closeable {

    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION_CLOSE = "connection: close".getBytes(StandardCharsets.US_ASCII);

    private final String host;
    private final int port;
    private final int timeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private byte[] buffer = new byte[8 * 1024];
    private int bodyStart;
    private int bodyLength;

    HttpConnection(String host, int port, int timeoutMillis) {
        this.host = host;
        this.port = port;
        this.timeoutMillis = timeoutMillis;
    }

    /** An answer read by {@link #call}: status and body as text. */
    record Reply(int status, String body) {
    }

    /** One request on a connection of its own (health checks, metrics, the model): not for load. */
    static Reply call(String host, int port, String method, String path, String contentType, String body,
                      int timeoutMillis) throws IOException {
        byte[] request = encode(method, host, path, contentType,
                body == null ? null : body.getBytes(StandardCharsets.UTF_8));
        try (HttpConnection c = new HttpConnection(host, port, timeoutMillis)) {
            int status = c.exchange(request, request.length);
            return new Reply(status, c.bodyText());
        }
    }

    /** A complete HTTP/1.1 request: request line, Host, Content-Type and Content-Length, body. */
    static byte[] encode(String method, String host, String path, String contentType, byte[] body) {
        StringBuilder head = new StringBuilder(128).append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append("\r\n");
        if (body != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n")
                    .append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[headBytes.length + (body == null ? 0 : body.length)];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        if (body != null) {
            System.arraycopy(body, 0, request, headBytes.length, body.length);
        }
        return request;
    }

    /**
     * Sends {@code request[0, length)} and reads the whole answer; returns its status. The
     * connection is opened on first use and after any failure or {@code Connection: close}.
     */
    int exchange(byte[] request, int length) throws IOException {
        if (socket == null) {
            connect();
        }
        try {
            out.write(request, 0, length);
            return readResponse();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setSoTimeout(timeoutMillis);
        s.connect(new InetSocketAddress(host, port), timeoutMillis);
        socket = s;
        in = s.getInputStream();
        out = s.getOutputStream();
    }

    private int readResponse() throws IOException {
        int filled = 0;
        int headerEnd;
        while ((headerEnd = indexOfHeaderEnd(filled)) < 0) {
            filled = readMore(filled);
        }
        int status = (buffer[9] - '0') * 100 + (buffer[10] - '0') * 10 + (buffer[11] - '0');
        long contentLength = -1;
        boolean close = false;
        int line = lineEnd(0) + 2;
        while (line < headerEnd) {
            int end = lineEnd(line);
            if (startsWithIgnoreCase(line, end, CONTENT_LENGTH)) {
                contentLength = parseNumber(line + CONTENT_LENGTH.length, end);
            } else if (startsWithIgnoreCase(line, end, CONNECTION_CLOSE)) {
                close = true;
            }
            line = end + 2;
        }
        if (contentLength < 0) {
            // Pekko HTTP answers every strict entity (all of Leadflame's and the no-op's) with a length.
            throw new IOException("an answer without Content-Length (chunked or until close) is not supported");
        }
        bodyStart = headerEnd + 4;
        int need = bodyStart + (int) contentLength;
        ensureCapacity(need);
        while (filled < need) {
            filled = readMore(filled);
        }
        bodyLength = (int) contentLength;
        if (close) {
            close();
        }
        return status;
    }

    private int readMore(int filled) throws IOException {
        if (filled == buffer.length) {
            ensureCapacity(buffer.length * 2);
        }
        int n = in.read(buffer, filled, buffer.length - filled);
        if (n < 0) {
            throw new EOFException("connection closed by the server");
        }
        return filled + n;
    }

    private void ensureCapacity(int size) {
        if (size > buffer.length) {
            byte[] bigger = new byte[Math.max(size, buffer.length * 2)];
            System.arraycopy(buffer, 0, bigger, 0, buffer.length);
            buffer = bigger;
        }
    }

    private int indexOfHeaderEnd(int filled) {
        for (int i = 0; i + 3 < filled; i++) {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private int lineEnd(int from) {
        int i = from;
        while (!(buffer[i] == '\r' && buffer[i + 1] == '\n')) {
            i++;
        }
        return i;
    }

    private boolean startsWithIgnoreCase(int from, int end, byte[] lowerPrefix) {
        if (end - from < lowerPrefix.length) {
            return false;
        }
        for (int i = 0; i < lowerPrefix.length; i++) {
            byte b = buffer[from + i];
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != lowerPrefix[i]) {
                return false;
            }
        }
        return true;
    }

    private long parseNumber(int from, int end) {
        long n = 0;
        for (int i = from; i < end; i++) {
            byte b = buffer[i];
            if (b >= '0' && b <= '9') {
                n = n * 10 + (b - '0');
            }
        }
        return n;
    }

    /**
     * The non-negative integer that follows {@code key} (e.g. {@code "accepted":}) in the last
     * body, or -1: reads a count from an answer without parsing it as JSON.
     */
    long numberAfter(byte[] key) {
        int end = bodyStart + bodyLength;
        outer:
        for (int i = bodyStart; i + key.length <= end; i++) {
            for (int k = 0; k < key.length; k++) {
                if (buffer[i + k] != key[k]) {
                    continue outer;
                }
            }
            int j = i + key.length;
            while (j < end && buffer[j] == ' ') {
                j++;
            }
            long n = -1;
            while (j < end && buffer[j] >= '0' && buffer[j] <= '9') {
                n = (n < 0 ? 0 : n * 10) + (buffer[j++] - '0');
            }
            return n;
        }
        return -1;
    }

    /** The last answer's body as text (allocates: not for the measured loop). */
    String bodyText() {
        return new String(buffer, bodyStart, bodyLength, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a broken connection: nothing left to do
            }
            socket = null;
        }
    }
}
