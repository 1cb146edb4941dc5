package io.leadflame.failover;

import io.leadflame.testing.HttpReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The embedded default ({@code java -jar target/leadflame.jar}, H2 in its data directory) killed
 * with SIGKILL right after its last {@code 202}: every acknowledged event is there after a
 * restart. H2 keeps commits in memory for up to half a second by default; with that, 5–20 % of
 * such a stream's acknowledged events were gone after the kill.
 */
class EmbeddedKillNineIT {

    private static final String TENANT = "/api/v1/tenants/crash";
    private static final int CONTACTS = 50;
    private static final int BATCHES = 30;
    private static final Duration READY_WITHIN = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Checks.REQUEST_TIMEOUT;

    private final Http http = new Http();

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void everyAcknowledgedEventSurvivesAKillNine() throws Exception {
        Path logDir = JarNode.logDir("embedded-kill-nine");
        Path data = logDir.resolve("data");
        JarNode.Ports ports = JarNode.Ports.free();
        int acknowledged = 0;
        try (JarNode node = JarNode.startEmbedded("embedded-1", ports, data, logDir)) {
            Poll.until(READY_WITHIN, node + " ready", () -> node.ready(http), () -> node.tail(30));
            // A point for each page visit, without a cap: a contact's score counts its visits.
            HttpReply model = http.put(node.api(TENANT + "/model"), """
                    {"idealScore": 20, "rules": [{"id": "visit", "name": "Each visit", "points": 1, "count": "each",
                      "criterion": {"type": "activity", "activity": "page_visited"}}]}""", REQUEST_TIMEOUT);
            assertEquals(200, model.status(), model.body());
            for (int b = 0; b < BATCHES; b++) {
                StringBuilder body = new StringBuilder();
                for (int c = 0; c < CONTACTS; c++) {
                    body.append("{\"eventId\": \"e-").append(b).append('-').append(c)
                            .append("\", \"contactId\": \"c-").append(c).append("\", \"type\": \"page_visited\"}\n");
                }
                HttpReply r = http.post(node.api(TENANT + "/events"), "application/x-ndjson", body.toString(),
                        REQUEST_TIMEOUT);
                assertEquals(202, r.status(), r.body());
                acknowledged += CONTACTS;
            }
            assertEquals(JarNode.KILLED_BY_SIGKILL, node.kill9());
        }
        try (JarNode node = JarNode.startEmbedded("embedded-2", JarNode.Ports.free(), data, logDir)) {
            Poll.until(READY_WITHIN, node + " ready again", () -> node.ready(http), () -> node.tail(30));
            long visits = 0;
            for (int c = 0; c < CONTACTS; c++) {
                HttpReply r = http.get(node.api(TENANT + "/contacts/c-" + c), REQUEST_TIMEOUT);
                assertEquals(200, r.status(), r.body());
                visits += Http.JSON.readTree(r.body()).path("score").asLong();
            }
            assertEquals(acknowledged, visits, "every acknowledged visit is in a score after the kill");
        }
    }
}
