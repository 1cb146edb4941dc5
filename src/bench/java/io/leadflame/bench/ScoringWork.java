package io.leadflame.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadflame.api.ModelJson;
import io.leadflame.leads.Lead;
import io.leadflame.leads.LeadIndex;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.Score;
import io.leadflame.scoring.Scorer;
import io.leadflame.scoring.ScoringModel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * An isolated experiment behind a design choice, not a benchmark figure: what a rescoring's own
 * work costs per contact without the actors — score the history a lead holds under the new
 * model, make the new lead, move it in the {@link LeadIndex} — taking the leads in index order
 * on one thread, for the bench's seeding (the same 28-event histories) and model
 * (BENCHMARKS.md, "Rescoring a million contacts: what the young collections cost"). Set beside
 * the rescoring figure, it says how much of a rescoring the two messages per contact and the
 * collections they cause are.
 *
 * <pre>
 * mvn -B -q -Pbench -DskipTests package
 * java -Xmx12g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -cp target/leadflame.jar:target/test-classes \
 *     io.leadflame.bench.ScoringWork 1000000
 * </pre>
 */
public final class ScoringWork {

    private static final String TENANT = "bench";

    private ScoringWork() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        ObjectMapper json = new ObjectMapper();
        Instant now = Instant.now();
        Random random = new Random(1);
        LeadIndex index = new LeadIndex();
        ScoringModel first = model(json, 1);
        long built = System.nanoTime();
        long[] eventIds = {0};
        for (int i = 0; i < n; i++) {
            String contactId = String.format("c-%07d", i);
            String entityId = TENANT + "/" + contactId;
            ContactHistory history = EventMix.recordedHistory(json, random, now, contactId, eventIds);
            index.replace(TENANT, null, Lead.of(TENANT, entityId, Scorer.score(first, history, now), history));
        }
        System.out.printf("%,d contacts built and placed in %.1f s%n", n, (System.nanoTime() - built) / 1e9);
        for (int variant = 2; variant <= 6; variant++) {
            ScoringModel model = model(json, variant);
            List<Lead> leads = new ArrayList<>(n);
            index.all(TENANT).forEach(leads::add);
            long start = System.nanoTime();
            long scoring = 0;
            int moved = 0;
            for (Lead previous : leads) {
                long t0 = System.nanoTime();
                Score score = Scorer.stableScore(model, previous.history(), now).score();
                scoring += System.nanoTime() - t0;
                Lead scored = Lead.of(TENANT, previous.entityId(), score, previous.history());
                if (!scored.sameAs(previous)) {
                    index.replace(TENANT, previous, scored);
                    moved++;
                }
            }
            long total = System.nanoTime() - start;
            System.out.printf("model %d: %,d contacts in %.2f s (%.2f µs a contact, of which scoring %.2f µs); %,d leads replaced%n",
                    variant, leads.size(), total / 1e9, total / 1e3 / leads.size(), scoring / 1e3 / leads.size(), moved);
        }
    }

    private static ScoringModel model(ObjectMapper json, int variant) throws Exception {
        return ModelJson.read(json.readTree(EventMix.model(variant))).value().orElseThrow();
    }
}
