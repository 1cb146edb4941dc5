package io.leadflame.bench;

import io.leadflame.leads.Lead;
import io.leadflame.leads.LeadIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * An isolated experiment behind a design choice, not a benchmark figure: what moving every lead
 * of a large {@link LeadIndex} to a new score costs per move, taking the leads in random order
 * or in the index's own order (BENCHMARKS.md, "Rescoring a million contacts"; the rescoring takes
 * its contacts in index order because of it). One thread, one tenant, scores 0–39, six rounds.
 *
 * <pre>
 * mvn -B -q -Pbench -DskipTests package
 * java -Xmx8g -cp target/leadflame.jar:target/test-classes io.leadflame.bench.IndexMoves 1000000 random
 * java -Xmx8g -cp target/leadflame.jar:target/test-classes io.leadflame.bench.IndexMoves 1000000 ordered
 * </pre>
 */
public final class IndexMoves {

    private static final String TENANT = "bench";
    private static final int SCORES = 40;

    private IndexMoves() {
    }

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        boolean ordered = args[1].equals("ordered");
        Random random = new Random(1);
        LeadIndex index = new LeadIndex();
        Lead[] leads = new Lead[n];
        for (int i = 0; i < n; i++) {
            leads[i] = lead(String.format("%s/c-%07d", TENANT, i), random.nextInt(SCORES));
            index.replace(TENANT, null, leads[i]);
        }
        for (int round = 0; round < 6; round++) {
            List<Lead> order = new ArrayList<>(n);
            if (ordered) {
                index.all(TENANT).forEach(order::add);
            } else {
                order.addAll(Arrays.asList(leads));
                Collections.shuffle(order, random);
            }
            long start = System.nanoTime();
            for (Lead previous : order) {
                Lead moved = lead(previous.entityId(), random.nextInt(SCORES));
                index.replace(TENANT, previous, moved);
                leads[Integer.parseInt(previous.contactId().substring(2))] = moved;
            }
            System.out.printf("%s, %,d leads, round %d: %.2f µs a move%n", args[1], n, round,
                    (System.nanoTime() - start) / 1e3 / n);
        }
    }

    private static Lead lead(String entityId, long score) {
        return new Lead(entityId, TENANT.length(), score, 0, 0, null, 0, List.of(), null);
    }
}
