package io.leadflame.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for nodes that must know each other's addresses before they start (so they cannot use 0).
 *
 * <p>Below Linux's ephemeral range (32768–60999 by default): a port the kernel handed out for
 * {@code bind(0)} is free only until the next outgoing connection takes it as its local port,
 * and a node started seconds later then failed to bind its API port ("Address already in use",
 * seen in RollingRestartIT). A port picked below the range is never taken that way; each is
 * handed out once per JVM.
 */
public final class FreePorts {

    private static final int LOWEST = 20_000;
    private static final int BELOW = 32_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A port that was free a moment ago, outside the range outgoing connections use. */
    public static int freePort() {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, BELOW);
            if (!HANDED_OUT.contains(port) && bindable(port) && HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port between " + LOWEST + " and " + BELOW);
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
