package io.leadflame.webhooks;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which receiver addresses webhooks may reach: public ones, and what an operator allows. */
class ReceiverAddressesTest {

    @Test
    void everyKindOfNonPublicAddressIsRecognised() throws Exception {
        for (String address : List.of("127.0.0.1", "127.255.0.9", "::1", "10.1.2.3", "172.16.0.1", "172.31.255.254",
                "192.168.1.1", "169.254.169.254", "fe80::1", "fc00::1", "fd12:3456::1", "100.64.0.1", "0.0.0.0",
                "0.1.2.3", "::", "224.0.0.1", "ff02::1", "255.255.255.255", "::ffff:10.0.0.1", "::ffff:127.0.0.1",
                "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "64:ff9b:1::1", "2002:a00:1::1", "2001:0:4136:e378::1",
                "::10.0.0.1", "192.0.0.1", "198.18.0.1", "240.0.0.1")) {
            assertTrue(ReceiverAddresses.nonPublic(InetAddress.getByName(address)).isPresent(), address);
        }
        for (String address : List.of("8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888",
                "64:ff9b::808:808", "2002:808:808::1")) {
            assertEquals(Optional.empty(), ReceiverAddresses.nonPublic(InetAddress.getByName(address)), address);
        }
        assertEquals(Optional.of("a link-local (where cloud metadata services answer)"),
                ReceiverAddresses.nonPublic(InetAddress.getByName("169.254.169.254")));
    }

    @Test
    void aHostNameIsJudgedByEveryAddressItResolvesTo() {
        ReceiverAddresses none = new ReceiverAddresses(List.of(), Runnable::run);
        // For a name, one answer whether it resolves privately or not at all: no map of the network.
        String refused = assertRefused(none, "localhost");
        assertEquals(refused.replace("localhost", "nothing.invalid"), assertRefused(none, "nothing.invalid"));
        assertTrue(refused.contains("public addresses only") && !refused.contains("127.0.0.1"), refused);
        // For an address written in the URL, what kind it is.
        assertTrue(assertRefused(none, "[::1]").contains("loopback"));
        assertTrue(assertRefused(none, "10.1.1.1").contains("private"));
    }

    @Test
    void anOperatorMayAllowBlocksAndNames() throws Exception {
        ReceiverAddresses loopback = new ReceiverAddresses(List.of("127.0.0.1/32"), Runnable::run);
        assertEquals(InetAddress.getByName("127.0.0.1"), loopback.resolve("127.0.0.1").toCompletableFuture().join());
        assertRefused(loopback, "127.0.0.2");
        assertRefused(loopback, "10.0.0.1");

        ReceiverAddresses byName = new ReceiverAddresses(List.of("localhost", "10.0.0.0/8"), Runnable::run);
        byName.resolve("localhost").toCompletableFuture().join();
        byName.resolve("10.200.0.1").toCompletableFuture().join();
        assertRefused(byName, "192.168.0.1");
    }

    @Test
    void aBadAllowListIsNamed() {
        assertEquals(Optional.empty(), ReceiverAddresses.problem(List.of("10.0.0.0/8", "crm.internal", "fd00::/8")));
        for (String bad : List.of("10.0.0.0/33", "10.0.0/x", "crm.internal/8", "/8", "cafe/16")) {
            Optional<String> problem = ReceiverAddresses.problem(List.of(bad));
            assertTrue(problem.isPresent() && problem.get().contains(bad), bad + ": " + problem);
        }
    }

    private static String assertRefused(ReceiverAddresses policy, String host) {
        try {
            policy.resolve(host).toCompletableFuture().join();
        } catch (CompletionException e) {
            assertTrue(e.getCause() instanceof ReceiverAddresses.Refused, e.toString());
            return e.getCause().getMessage();
        }
        throw new AssertionError(host + " was allowed");
    }
}
