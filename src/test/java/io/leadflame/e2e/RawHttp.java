package io.leadflame.e2e;

import io.leadflame.testing.HttpReply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket, for requests {@link java.net.http.HttpClient} cannot make
 * reliably: announcing a body larger than the server accepts and reading the refusal before (or
 * instead of) sending all of it. A server that refuses such a body answers and closes the
 * connection; a client still uploading may then get a TCP reset that destroys the answer. Here
 * the test decides how much of the body goes out, so nothing is left unread on the server.
 */
final class RawHttp {

    @FunctionalInterface
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private RawHttp() {
    }

    /** Sends the request line and headers (CRLF-separated, without the blank line), then {@code body}; reads the answer. */
    static HttpReply exchange(int port, String requestHead, Body body) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write((requestHead + "\r\nHost: 127.0.0.1:" + port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeTo(out);
            out.flush();
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new IllegalStateException("raw HTTP exchange failed: " + e, e);
        }
    }

    /**
     * Sends {@code request} exactly as given (request line, headers and body: nothing added)
     * and reads the answer; null when the server closed the connection without one.
     */
    static HttpReply sendExactly(int port, byte[] request) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            return read(in);
        } catch (ClosedWithoutAnswer e) {
            return null;
        } catch (IOException e) {
            throw new IllegalStateException("raw HTTP exchange failed: " + e, e);
        }
    }

    /**
     * Sends {@code request} exactly as given and returns everything the server writes until it
     * closes the connection or is silent for {@code quietMillis} (ISO-8859-1 text).
     */
    static String sendAndReadAll(int port, String request, int quietMillis) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(quietMillis);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    all.write(buffer, 0, n);
                }
            } catch (java.net.SocketTimeoutException quiet) {
                // nothing more came
            } catch (java.net.SocketException reset) {
                // closed with a reset after its answer
            }
            return all.toString(StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalStateException("raw HTTP exchange failed: " + e, e);
        }
    }

    /** {@link #sendExactly} of a text request (ISO-8859-1, so that any byte can be written as a char). */
    static HttpReply sendExactly(int port, String request) {
        return sendExactly(port, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The server closed the connection before the first byte of an answer. */
    static final class ClosedWithoutAnswer extends IOException {
        ClosedWithoutAnswer() {
            super("closed without an answer");
        }
    }

    /** Reads one answer (it must have a Content-Length) from an open connection. */
    static HttpReply readAnswer(InputStream in) throws IOException {
        return read(in);
    }

    /** Reads an answer's status line and headers only (a stream's answer has no length). */
    static int readHead(InputStream in, Map<String, String> headers) throws IOException {
        String status = line(in);
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(), h.substring(colon + 1).trim());
        }
        return Integer.parseInt(status.split(" ", 3)[1]);
    }

    /** Writes {@code data} as chunks of {@code chunkSize}, without the final empty chunk. */
    static Body chunks(byte[] data, int chunkSize) {
        return out -> {
            for (int i = 0; i < data.length; i += chunkSize) {
                int n = Math.min(chunkSize, data.length - i);
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(data, i, n);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        };
    }

    private static HttpReply read(InputStream in) throws IOException {
        int first = in.read();
        if (first == -1) {
            throw new ClosedWithoutAnswer();
        }
        String status = (char) first + line(in);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP answer: " + status);
        }
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            headers.computeIfAbsent(h.substring(0, colon).trim(), k -> new ArrayList<>()).add(h.substring(colon + 1).trim());
        }
        List<String> length = headers.get("Content-Length");
        if (length == null) {
            throw new IOException("an answer without Content-Length: " + headers);
        }
        byte[] body = in.readNBytes(Integer.parseInt(length.get(0)));
        return new HttpReply(Integer.parseInt(parts[1]), HttpHeaders.of(headers, (k, v) -> true),
                new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b == -1) {
                throw new IOException("connection closed in the middle of the answer's head");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
