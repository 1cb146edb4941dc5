package io.leadflame.webhooks;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.ClientTransport;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Where webhooks may send: public addresses only, so that a tenant cannot make the server POST
 * to itself, to other services of its network or to a cloud's metadata service (SSRF). A
 * receiver's host is resolved and every address it has is checked when the webhook is saved, and
 * again at each connection: the delivery connects to the very address that was checked, so a
 * name that resolves elsewhere later (DNS rebinding) gains nothing. An operator may allow
 * addresses or host names ({@code WEBHOOK_ALLOWED_RECEIVERS}: CIDR blocks and names, e.g. a CRM
 * inside the same network).
 */
public final class ReceiverAddresses implements Extension {

    private static final ExtensionId<ReceiverAddresses> ID = new ExtensionId<>() {
        @Override
        public ReceiverAddresses createExtension(ActorSystem<?> system) {
            return new ReceiverAddresses(allowed(system.settings().config()),
                    system.dispatchers().lookup(DispatcherSelector.blocking()));
        }
    };

    /** A receiver that may not be sent to, and why (the message an API answer or lastError shows). */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private record Block(byte[] network, int prefix) {
        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >> (bit % 8);
                if ((a[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final String PUBLIC_ONLY = "webhooks go to public addresses only (an operator can allow "
            + "others with WEBHOOK_ALLOWED_RECEIVERS)";
    /** An IPv4 or IPv6 address written as such (no lookup needed). */
    private static final java.util.regex.Pattern IP_LITERAL =
            java.util.regex.Pattern.compile("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.%a-zA-Z]*");
    private static final List<Block> SHARED = List.of(block("100.64.0.0/10"));
    private static final List<Block> UNIQUE_LOCAL = List.of(block("fc00::/7"));
    /** Not routed on the internet: IETF assignments, benchmarking, reserved. */
    private static final List<Block> SPECIAL_IPV4 = List.of(block("192.0.0.0/24"), block("198.18.0.0/15"),
            block("240.0.0.0/4"));
    /** Tunnels that reach IPv4 through IPv6 (NAT64 local use, Teredo): where they lead is not checked here. */
    private static final List<Block> TUNNELS = List.of(block("64:ff9b:1::/48"), block("2001::/32"));
    private static final Block NAT64 = block("64:ff9b::/96");
    private static final Block SIX_TO_FOUR = block("2002::/16");
    private static final Block THIS_NETWORK = block("0.0.0.0/8");

    private final List<Block> allowedBlocks;
    private final List<String> allowedHosts;
    private final Executor lookups;
    private volatile ConnectionPoolSettings pool;

    ReceiverAddresses(List<String> allowed, Executor lookups) {
        List<Block> blocks = new ArrayList<>();
        List<String> hosts = new ArrayList<>();
        for (String entry : allowed) {
            if (entry.contains("/")) {
                blocks.add(block(entry));
            } else {
                hosts.add(entry.toLowerCase(Locale.ROOT));
            }
        }
        this.allowedBlocks = List.copyOf(blocks);
        this.allowedHosts = List.copyOf(hosts);
        this.lookups = lookups;
    }

    /** The node's policy: {@code leadflame.webhooks.allowed-receivers}; lookups on the blocking dispatcher. */
    public static ReceiverAddresses get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** The allow-list's entries, comma separated; a bad CIDR block is a refusal to start. */
    public static List<String> allowed(Config config) {
        return Arrays.stream(config.getString("leadflame.webhooks.allowed-receivers").split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** Why an allow-list entry is not one, if it is not. */
    public static Optional<String> problem(List<String> allowed) {
        for (String entry : allowed) {
            if (entry.contains("/")) {
                try {
                    block(entry);
                } catch (IllegalArgumentException e) {
                    return Optional.of("WEBHOOK_ALLOWED_RECEIVERS: '" + entry + "' is not a CIDR block like 10.0.0.0/8 ("
                            + e.getMessage() + ")");
                }
            }
        }
        return Optional.empty();
    }

    /** At save time: why the URL's receiver may not be sent to, if it may not. */
    public CompletionStage<Optional<String>> check(String url) {
        String host = Uri.create(url).host().address();
        return resolve(host).handle((address, failure) -> failure == null ? Optional.empty()
                : Optional.of(unwrap(failure).getMessage()));
    }

    /**
     * The connection pool settings deliveries use: each connection goes to an address checked
     * just before. One instance per node: Pekko keeps a pool per host and settings.
     */
    public ConnectionPoolSettings poolSettings(ActorSystem<?> system) {
        ConnectionPoolSettings settings = pool;
        if (settings == null) {
            settings = ConnectionPoolSettings.create(system.classicSystem()).withTransport(ClientTransport.withCustomResolver(
                    (host, port) -> resolve(host).thenApply(address -> new InetSocketAddress(address, (Integer) port))));
            pool = settings;
        }
        return settings;
    }

    /**
     * The first address of {@code host}, once every address it has is allowed. A refusal names
     * the kind of address only for an address written in the URL: for a host name it says the
     * same whether the name does not resolve or resolves to a private address, so that webhooks
     * cannot be used to map the names of the server's network.
     */
    CompletionStage<InetAddress> resolve(String host) {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        boolean literal = IP_LITERAL.matcher(name).matches();
        return CompletableFuture.supplyAsync(() -> {
            String refused = "the host " + name + " does not resolve to public addresses only: " + PUBLIC_ONLY;
            InetAddress[] addresses;
            try {
                addresses = InetAddress.getAllByName(name);
            } catch (UnknownHostException e) {
                throw new Refused(refused);
            }
            boolean allowedByName = allowedHosts.contains(name.toLowerCase(Locale.ROOT));
            for (InetAddress address : addresses) {
                Optional<String> kind = allowedByName || allowedBlocks.stream().anyMatch(b -> b.contains(address))
                        ? Optional.empty() : nonPublic(address);
                if (kind.isPresent()) {
                    throw new Refused(literal ? name + " is " + kind.get() + " address: " + PUBLIC_ONLY : refused);
                }
            }
            return addresses[0];
        }, lookups);
    }

    /** What kind of address that is not public this is ("a loopback", "a private", ...), or empty for a public one. */
    static Optional<String> nonPublic(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            // IPv6 forms that carry an IPv4 address are judged by that address.
            byte[] a = v6.getAddress();
            boolean compatible = v6.isIPv4CompatibleAddress() && !v6.isLoopbackAddress() && !v6.isAnyLocalAddress();
            if (NAT64.contains(address) || compatible) {
                return nonPublic(ipv4(a, 12));
            }
            if (SIX_TO_FOUR.contains(address)) {
                return nonPublic(ipv4(a, 2));
            }
            if (TUNNELS.stream().anyMatch(b -> b.contains(address))) {
                return Optional.of("a tunnelled (NAT64 local use or Teredo)");
            }
        }
        if (address instanceof Inet4Address && SPECIAL_IPV4.stream().anyMatch(b -> b.contains(address))) {
            return Optional.of("a reserved");
        }
        if (address.isLoopbackAddress()) {
            return Optional.of("a loopback");
        }
        if (address.isAnyLocalAddress() || (address instanceof Inet4Address && THIS_NETWORK.contains(address))) {
            return Optional.of("an unspecified");
        }
        if (address.isLinkLocalAddress()) {
            return Optional.of("a link-local (where cloud metadata services answer)");
        }
        if (address.isSiteLocalAddress() || UNIQUE_LOCAL.stream().anyMatch(b -> b.contains(address))) {
            return Optional.of("a private");
        }
        if (SHARED.stream().anyMatch(b -> b.contains(address))) {
            return Optional.of("a shared (carrier-grade NAT)");
        }
        if (address.isMulticastAddress() || (address instanceof Inet4Address
                && Arrays.equals(address.getAddress(), new byte[]{-1, -1, -1, -1}))) {
            return Optional.of("a multicast or broadcast");
        }
        return Optional.empty();
    }

    private static InetAddress ipv4(byte[] bytes, int from) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(bytes, from, from + 4));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are an IPv4 address", e);
        }
    }

    private static Block block(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("no /prefix");
        }
        String network = cidr.substring(0, slash).strip();
        if (!network.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") && !network.contains(":")) {
            throw new IllegalArgumentException("not an IP address");
        }
        byte[] bytes;
        int prefix;
        try {
            bytes = InetAddress.getByName(network).getAddress();
            prefix = Integer.parseInt(cidr.substring(slash + 1).strip());
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        if (prefix < 0 || prefix > bytes.length * 8) {
            throw new IllegalArgumentException("the prefix is out of range");
        }
        return new Block(bytes, prefix);
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
