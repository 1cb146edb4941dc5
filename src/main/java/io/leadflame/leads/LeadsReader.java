package io.leadflame.leads;

import com.fasterxml.jackson.annotation.JsonAlias;
import io.leadflame.serialization.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

import io.leadflame.model.StoredModel;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;

/**
 * Answers for this node's part of a tenant's call list and distribution, from its
 * {@link LeadIndex}. One per node, registered with the receptionist: the HTTP edge of any node
 * asks every node's reader and merges ({@code http.LeadsRoutes}).
 */
public final class LeadsReader {

    public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "leads-readers");

    private LeadsReader() {
    }

    public sealed interface Command extends CborSerializable {
    }

    /**
     * The first {@code limit} leads of this node that pass {@code filter}, after {@code after} (null: the top).
     *
     * @param scoredBy the model of a named score ({@code StoredModel} form) the leads are scored
     *                 under when asked ({@link NamedScores}); null for the default score, as the
     *                 index holds it. The same in the other questions.
     */
    public record GetPage(String tenant, LeadIndex.Cursor after, int limit, LeadFilter filter, String scoredBy,
                          ActorRef<Page> replyTo) implements Command {
    }

    public record Page(List<Lead> leads) implements CborSerializable {
    }

    /**
     * How this node's leads of the tenant spread over flames, ranges and score buckets.
     *
     * @param bucketBounds the lower bounds of the histogram's buckets but the first, ascending
     */
    public record GetCounts(String tenant, long[] bucketBounds, String scoredBy, ActorRef<Counts> replyTo)
            implements Command {
    }

    /**
     * @param byFlames  leads with 0..5 flames
     * @param byRange   leads per range name (those with no range are not counted here)
     * @param histogram leads per bucket: below the first bound, then from each bound to the next
     */
    public record Counts(long contacts, long[] byFlames, Map<String, Long> byRange, long[] histogram)
            implements CborSerializable {

        public static Counts empty(int buckets) {
            return new Counts(0, new long[6], Map.of(), new long[buckets]);
        }

        /** The sum of two nodes' counts. */
        public Counts plus(Counts other) {
            long[] flames = new long[6];
            long[] histogram = new long[Math.max(this.histogram.length, other.histogram.length)];
            for (int i = 0; i < 6; i++) {
                flames[i] = byFlames[i] + other.byFlames[i];
            }
            for (int i = 0; i < histogram.length; i++) {
                histogram[i] = (i < this.histogram.length ? this.histogram[i] : 0)
                        + (i < other.histogram.length ? other.histogram[i] : 0);
            }
            Map<String, Long> ranges = new HashMap<>(byRange);
            other.byRange.forEach((name, n) -> ranges.merge(name, n, Long::sum));
            return new Counts(contacts + other.contacts, flames, ranges, histogram);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Counts c && contacts == c.contacts && Arrays.equals(byFlames, c.byFlames)
                    && byRange.equals(c.byRange) && Arrays.equals(histogram, c.histogram);
        }

        @Override
        public int hashCode() {
            return Objects.hash(contacts, Arrays.hashCode(byFlames), byRange, Arrays.hashCode(histogram));
        }

        @Override
        public String toString() {
            return "Counts[" + contacts + " contacts, byFlames " + Arrays.toString(byFlames) + ", byRange " + byRange
                    + ", histogram " + Arrays.toString(histogram) + "]";
        }
    }

    /**
     * What {@code candidate} (a validated model, in its {@code StoredModel} form) would do to this node's
     * contacts of the tenant; nothing changes.
     */
    public record GetPreview(String tenant, @JsonAlias("candidateJson") String candidate, long[] currentBounds,
                             long[] previewBounds, int movers, String scoredBy, ActorRef<Preview.Result> replyTo)
            implements Command {
    }

    /**
     * This node's leads of the tenant heating up fastest ({@link Heating}) under {@code model}
     * (the tenant's current one, in its {@code StoredModel} form), as a preview is computed.
     */
    public record GetHeating(String tenant, String model, LeadFilter filter, long minVelocity, Heating.After after,
                             int limit, String scoredBy, ActorRef<Heating.HeatingPage> replyTo) implements Command {
    }

    /** This node's live contacts of the tenant added up by account ({@link Accounts}). */
    public record GetAccounts(String tenant, String field, int keep, String scoredBy, ActorRef<Accounts.Parts> replyTo)
            implements Command {
    }

    public static Behavior<Command> create(LeadIndex index, Clock clock) {
        return Behaviors.setup(ctx -> {
            ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
            return Behaviors.receiveMessage(command -> {
                if (command instanceof GetPage get && get.scoredBy() == null) {
                    get.replyTo().tell(new Page(index.page(get.tenant(), get.after(), get.limit(),
                            get.filter()::accepts, get.filter()::isPast)));
                } else if (command instanceof GetPage get) {
                    namedPage(index, clock, get);
                } else if (command instanceof GetCounts get && get.scoredBy() == null) {
                    get.replyTo().tell(count(index.all(get.tenant()), get.bucketBounds()));
                } else if (command instanceof GetCounts get) {
                    namedCounts(index, clock, get);
                } else if (command instanceof GetPreview get) {
                    preview(index, clock, get);
                } else if (command instanceof GetAccounts get) {
                    accounts(index, clock, get);
                } else if (command instanceof GetHeating get) {
                    heating(index, clock, get);
                }
                return Behaviors.same();
            });
        });
    }

    /** Off the actor: scoring a million contacts takes seconds, and the reader must keep answering. */
    private static void preview(LeadIndex index, Clock clock, GetPreview get) {
        List<Lead> leads = leadsOf(index, get.tenant());
        Instant now = clock.instant();
        CompletableFuture.supplyAsync(() -> Preview.of(leads, NamedScores.scoring(get.scoredBy(), now),
                        StoredModel.read(get.candidate()), now, get.currentBounds(), get.previewBounds(), get.movers()),
                        ForkJoinPool.commonPool())
                .thenAccept(get.replyTo()::tell);
    }

    /** Off the actor, as a preview: scoring every lead a week back takes a while at scale. */
    private static void heating(LeadIndex index, Clock clock, GetHeating get) {
        List<Lead> leads = leadsOf(index, get.tenant());
        Instant now = clock.instant();
        CompletableFuture.supplyAsync(() -> Heating.page(leads, NamedScores.scoring(get.scoredBy(), now),
                        StoredModel.read(get.model()), now, get.filter(), get.minVelocity(), get.after(), get.limit()),
                        ForkJoinPool.commonPool())
                .thenAccept(get.replyTo()::tell);
    }

    /** Off the actor, as a preview: a named score's page is scored when asked. */
    private static void namedPage(LeadIndex index, Clock clock, GetPage get) {
        List<Lead> leads = leadsOf(index, get.tenant());
        Instant now = clock.instant();
        CompletableFuture.supplyAsync(() -> new Page(NamedScores.page(leads, NamedScores.scoring(get.scoredBy(), now),
                        get.after(), get.limit(), get.filter())), ForkJoinPool.commonPool())
                .thenAccept(get.replyTo()::tell);
    }

    /** Off the actor, as a preview: a named score's distribution is scored when asked. */
    private static void namedCounts(LeadIndex index, Clock clock, GetCounts get) {
        List<Lead> leads = leadsOf(index, get.tenant());
        Instant now = clock.instant();
        CompletableFuture.supplyAsync(() -> NamedScores.count(leads, NamedScores.scoring(get.scoredBy(), now),
                        get.bucketBounds()), ForkJoinPool.commonPool())
                .thenAccept(get.replyTo()::tell);
    }

    /** The tenant's leads on this node, taken on the reader's thread; scored elsewhere. */
    private static List<Lead> leadsOf(LeadIndex index, String tenant) {
        List<Lead> leads = new ArrayList<>();
        index.all(tenant).forEach(leads::add);
        return leads;
    }

    /** Off the actor, as a preview: the leads are taken here, added up elsewhere. */
    private static void accounts(LeadIndex index, Clock clock, GetAccounts get) {
        List<Lead> leads = leadsOf(index, get.tenant());
        Instant now = clock.instant();
        // Only an answer to another node crosses the network and its frame limit.
        long maxBytes = get.replyTo().path().address().hasLocalScope() ? Long.MAX_VALUE : Accounts.MAX_REMOTE_BYTES;
        CompletableFuture.supplyAsync(() -> Accounts.tally(get.scoredBy() == null ? leads
                                : leads.stream().map(NamedScores.scoring(get.scoredBy(), now)).toList(),
                        get.field(), get.keep(), now, maxBytes), ForkJoinPool.commonPool())
                .thenAccept(get.replyTo()::tell);
    }

    static Counts count(Iterable<Lead> leads, long[] bucketBounds) {
        Tally tally = new Tally(bucketBounds);
        leads.forEach(lead -> tally.add(lead.score(), lead.flames(), lead.range()));
        return tally.counts();
    }

    /** {@link Counts} being added up, one score at a time. */
    static final class Tally {
        private final long[] bucketBounds;
        private long contacts;
        private final long[] flames = new long[6];
        private final long[] histogram;
        private final Map<String, Long> ranges = new HashMap<>();

        Tally(long[] bucketBounds) {
            this.bucketBounds = bucketBounds;
            this.histogram = new long[bucketBounds.length + 1];
        }

        void add(long score, int flames, String range) {
            contacts++;
            this.flames[Math.max(0, Math.min(5, flames))]++;
            if (range != null) {
                ranges.merge(range, 1L, Long::sum);
            }
            int at = Arrays.binarySearch(bucketBounds, score);
            histogram[at >= 0 ? at + 1 : -at - 1]++;
        }

        Counts counts() {
            return new Counts(contacts, flames.clone(), Map.copyOf(ranges), histogram.clone());
        }
    }
}
