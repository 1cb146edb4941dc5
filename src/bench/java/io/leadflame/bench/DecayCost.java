package io.leadflame.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadflame.api.ModelJson;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.Scorer;
import io.leadflame.scoring.ScoringModel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What decay costs the scoring itself (issue 16): the bench's histories (28 events a contact)
 * scored under the bench's model and under the same model with its five engagement rules decaying
 * (linear and half-life), alternately in the same run, on one thread. Each decaying match adds a
 * candidate instant per point it still holds, so this is the cost a contact pays at every write,
 * expiry and rescoring.
 *
 * <pre>
 * mvn -B -q -Pbench -DskipTests package
 * java -Xmx4g -cp target/leadflame.jar:target/test-classes io.leadflame.bench.DecayCost 100000
 * </pre>
 */
public final class DecayCost {

    private DecayCost() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        ObjectMapper json = new ObjectMapper();
        Instant now = Instant.now();
        Random random = new Random(1);
        List<ContactHistory> histories = new ArrayList<>(n);
        long[] eventIds = {0};
        for (int i = 0; i < n; i++) {
            histories.add(EventMix.recordedHistory(json, random, now, String.format("c-%07d", i), eventIds));
        }
        String plain = EventMix.model(1);
        String decaying = EventMix.decayingModel(1);
        ScoringModel without = ModelJson.read(json.readTree(plain)).value().orElseThrow();
        ScoringModel with = ModelJson.read(json.readTree(decaying)).value().orElseThrow();
        System.out.printf("%,d contacts, 5 of 8 rules decaying%n", n);
        for (int round = 1; round <= 4; round++) {
            double a = perContact(without, histories, now);
            double b = perContact(with, histories, now);
            System.out.printf("round %d: without decay %.2f µs a contact, with %.2f µs: %.2fx%n", round, a, b, b / a);
        }
    }

    /** Mean µs to score a contact with its next change (what a write, an expiry or a rescoring does). */
    private static double perContact(ScoringModel model, List<ContactHistory> histories, Instant now) {
        long sum = 0;
        long start = System.nanoTime();
        for (ContactHistory h : histories) {
            sum += Scorer.stableScore(model, h, now).score().score();
        }
        long took = System.nanoTime() - start;
        if (sum == Long.MIN_VALUE) {
            System.out.println("unreachable");
        }
        return took / 1e3 / histories.size();
    }
}
