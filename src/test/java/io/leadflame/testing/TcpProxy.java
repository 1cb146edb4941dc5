package io.leadflame.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay between a service under test and a real server (PostgreSQL), which a test can
 * {@link #cut()}: every open connection is closed and new ones are closed as soon as they are
 * accepted, as when the database server goes down, until {@link #restore()}. One thread per
 * direction of each connection: for a handful of pooled connections, not for load.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private volatile boolean closed;

    private TcpProxy(ServerSocket server, InetSocketAddress target) {
        this.server = server;
        this.target = target;
    }

    /** Listens on a free port of 127.0.0.1 and relays to {@code host:port}. */
    public static TcpProxy to(String host, int port) throws IOException {
        return on(InetAddress.getLoopbackAddress().getHostAddress(), host, port);
    }

    /** Listens on a free port of {@code bindAddress} and relays to {@code host:port}. */
    public static TcpProxy on(String bindAddress, String host, int port) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName(bindAddress));
        TcpProxy proxy = new TcpProxy(server, new InetSocketAddress(host, port));
        Thread acceptor = new Thread(proxy::accept, "tcp-proxy-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
        return proxy;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** From now on the server is unreachable: open connections are closed, new ones closed at once. */
    public void cut() {
        synchronized (open) {
            cut = true;
            open.forEach(TcpProxy::closeQuietly);
            open.clear();
        }
    }

    /** The server is reachable again for new connections. */
    public void restore() {
        cut = false;
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (cut) {
                closeQuietly(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 2_000);
            } catch (IOException e) {
                closeQuietly(upstream);
                closeQuietly(client);
                continue;
            }
            // Registered and checked under the cut's lock: a connection made while cut() ran
            // is closed, never left relaying through the outage.
            synchronized (open) {
                if (cut) {
                    closeQuietly(upstream);
                    closeQuietly(client);
                    continue;
                }
                open.add(client);
                open.add(upstream);
            }
            relay(client, upstream);
            relay(upstream, client);
        }
    }

    private void relay(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed or was cut: close both
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-proxy-relay");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        cut();
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
