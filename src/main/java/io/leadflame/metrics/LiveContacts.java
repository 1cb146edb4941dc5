package io.leadflame.metrics;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.ClusterSharding;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

import java.time.Duration;

/**
 * Keeps {@code leadflame_contacts_live} current: every few seconds it asks this node's shard
 * region of the contacts for its per-shard entity counts, so a scrape reads a number instead of
 * waiting for the shards. The counts, not the entity ids (which the typed
 * {@code GetShardRegionState} would list: a million strings per scrape), and only this node's
 * region, not the whole cluster's.
 */
public final class LiveContacts {

    private sealed interface Command {
    }

    private enum Count implements Command {
        INSTANCE
    }

    private record Counted(ShardRegion.ShardRegionStats stats) implements Command {
    }

    private LiveContacts() {
    }

    /** Counts the live entities of {@code type}, whose sharding must already be initialised. */
    public static Behavior<?> create(EntityTypeKey<?> type, Duration every) {
        return Behaviors.<Command>setup(context -> {
            LeadflameMetrics metrics = LeadflameMetrics.get(context.getSystem());
            // Typed sharding runs on the classic one under the type key's name; the region-local
            // stats query is only in the classic API.
            org.apache.pekko.actor.ActorRef region = ClusterSharding.get(context.getSystem()).shardRegion(type.name());
            org.apache.pekko.actor.ActorRef replyTo = Adapter.toClassic(
                    context.messageAdapter(ShardRegion.ShardRegionStats.class, Counted::new));
            return Behaviors.withTimers(timers -> {
                timers.startTimerWithFixedDelay(Count.INSTANCE, Duration.ZERO, every);
                return Behaviors.receive(Command.class)
                        .onMessage(Count.class, count -> {
                            region.tell(ShardRegion.getRegionStatsInstance(), replyTo);
                            return Behaviors.same();
                        })
                        .onMessage(Counted.class, counted -> {
                            // A shard that did not answer in time (busy under load) would count as
                            // empty: the last complete count is closer to the truth.
                            if (counted.stats().getFailed().isEmpty()) {
                                metrics.contactsLive(counted.stats().getStats().values().stream()
                                        .mapToLong(n -> ((Number) n).longValue()).sum());
                            }
                            return Behaviors.same();
                        })
                        .build();
            });
        });
    }
}
