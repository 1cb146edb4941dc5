package io.leadflame.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Hosts for a test that must cut the network between processes: Linux network namespaces made
 * with {@code ip} (root only), each with one interface on a bridge in this namespace. Hosts
 * reach each other and this namespace (the test, and whatever it relays, at {@link #bridgeIp()})
 * until {@link #block} drops one host's packets to others (a route to nowhere): done for both
 * sides, every connection between them fails while the rest of the network works.
 */
public final class NetworkNamespaces implements AutoCloseable {

    private final String tag;
    private final int subnet;
    private final int hosts;
    private final List<String> created = new ArrayList<>();

    private NetworkNamespaces(String tag, int subnet, int hosts) {
        this.tag = tag;
        this.subnet = subnet;
        this.hosts = hosts;
    }

    /** Whether this machine lets the test make namespaces (root, with iproute2). */
    public static boolean available() {
        String probe = "lfprobe" + Integer.toHexString(new Random().nextInt(0xffff));
        try {
            run("ip", "netns", "add", probe);
            run("ip", "netns", "delete", probe);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** {@code hosts} namespaces on a new bridge, each host up with its address. */
    public static NetworkNamespaces create(int hosts) {
        Random random = new Random();
        NetworkNamespaces n = new NetworkNamespaces(Integer.toHexString(0x1000 + random.nextInt(0xefff)),
                10 + random.nextInt(240), hosts);
        try {
            n.build();
        } catch (RuntimeException e) {
            n.close();
            throw e;
        }
        return n;
    }

    private void build() {
        String bridge = bridge();
        run("ip", "link", "add", bridge, "type", "bridge");
        created.add("link:" + bridge);
        run("ip", "addr", "add", bridgeIp() + "/24", "dev", bridge);
        run("ip", "link", "set", bridge, "up");
        for (int i = 1; i <= hosts; i++) {
            String ns = namespace(i);
            run("ip", "netns", "add", ns);
            created.add("netns:" + ns);
            String veth = "lfv" + tag + i;
            run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
            created.add("link:" + veth);
            run("ip", "link", "set", veth, "master", bridge);
            run("ip", "link", "set", veth, "up");
            run("ip", "netns", "exec", ns, "ip", "addr", "add", ip(i) + "/24", "dev", "eth0");
            run("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up");
            run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        }
    }

    /** The namespace of host {@code i} (1-based), for {@code ip netns exec}. */
    public String namespace(int i) {
        return "lf" + tag + "n" + i;
    }

    /** The address of host {@code i} (1-based). */
    public String ip(int i) {
        return "10.213." + subnet + "." + (10 + i);
    }

    /** This namespace's address on the bridge: the hosts reach the test (and its relays) there. */
    public String bridgeIp() {
        return "10.213." + subnet + ".1";
    }

    /** The command prefix that runs a program inside host {@code i}. */
    public List<String> exec(int i) {
        return List.of("ip", "netns", "exec", namespace(i));
    }

    /**
     * Host {@code i} can no longer send to any of {@code others} (its packets to them are dropped);
     * they still send to it until {@code block} is called the other way. The test and the bridge
     * address still reach every host.
     */
    public void block(int i, int... others) {
        for (int other : others) {
            run("ip", "netns", "exec", namespace(i), "ip", "route", "add", "blackhole", ip(other) + "/32");
        }
    }

    private String bridge() {
        return "lfbr" + tag;
    }

    /** Removes every namespace and link made, whatever still runs in them. */
    @Override
    public void close() {
        for (int k = created.size() - 1; k >= 0; k--) {
            String what = created.get(k);
            try {
                if (what.startsWith("netns:")) {
                    run("ip", "netns", "delete", what.substring(6));
                } else {
                    run("ip", "link", "delete", what.substring(5));
                }
            } catch (RuntimeException e) {
                // already gone with its namespace (a veth goes with its peer)
            }
        }
        created.clear();
    }

    private static void run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        }
    }
}
