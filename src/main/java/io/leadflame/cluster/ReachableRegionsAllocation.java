package io.leadflame.cluster;

import com.typesafe.config.Config;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Map;
import scala.collection.immutable.Set;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

import java.util.HashSet;

/**
 * Pekko's least-shard allocation, except that a new shard never goes to a node the others
 * cannot reach. Pekko's strategy ranks regions by membership status and shard count only, so
 * in the seconds between a node's crash and its downing, a contact never seen before could be
 * placed on the dead node (it has the fewest shards once its shards are being taken over) and
 * wait there for the whole failover. Rebalancing is Pekko's own: it already waits while any
 * member is unreachable.
 *
 * <p>When every region with shards is unreachable (this node sees none of the others and has no
 * region of its own yet) the choice is left to Pekko unchanged: there is nothing better to pick.
 */
public final class ReachableRegionsAllocation implements ShardCoordinator.ActorSystemDependentAllocationStrategy {

    private final ShardCoordinator.ShardAllocationStrategy leastShards;
    private volatile Cluster cluster;

    private ReachableRegionsAllocation(ShardCoordinator.ShardAllocationStrategy leastShards) {
        this.leastShards = leastShards;
    }

    /** With the rebalance limits of {@code pekko.cluster.sharding.least-shard-allocation-strategy}. */
    public static ReachableRegionsAllocation fromConfig(Config config) {
        Config limits = config.getConfig("pekko.cluster.sharding.least-shard-allocation-strategy");
        return new ReachableRegionsAllocation(ShardCoordinator.ShardAllocationStrategy$.MODULE$
                .leastShardAllocationStrategy(limits.getInt("rebalance-absolute-limit"),
                        limits.getDouble("rebalance-relative-limit")));
    }

    @Override
    public void start(ActorSystem system) {
        cluster = Cluster.get(system);
        if (leastShards instanceof ShardCoordinator.ActorSystemDependentAllocationStrategy dependent) {
            dependent.start(system);
        }
    }

    @Override
    public Future<ActorRef> allocateShard(ActorRef requester, String shardId,
                                          Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
        return leastShards.allocateShard(requester, shardId, reachable(currentShardAllocations));
    }

    @Override
    public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> currentShardAllocations,
                                         Set<String> rebalanceInProgress) {
        return leastShards.rebalance(currentShardAllocations, rebalanceInProgress);
    }

    /** The allocations of regions on reachable members, or all of them when none is reachable. */
    Map<ActorRef, IndexedSeq<String>> reachable(Map<ActorRef, IndexedSeq<String>> allocations) {
        java.util.Set<Address> unreachable = new HashSet<>();
        for (Member member : cluster.state().getUnreachable()) {
            unreachable.add(member.address());
        }
        if (unreachable.isEmpty()) {
            return allocations;
        }
        Address self = cluster.selfAddress();
        Map<ActorRef, IndexedSeq<String>> reachable = allocations;
        for (ActorRef region : CollectionConverters.asJava(allocations.keySet())) {
            Address address = region.path().address();
            if (unreachable.contains(address.hasLocalScope() ? self : address)) {
                reachable = reachable.removed(region);
            }
        }
        return reachable.isEmpty() ? allocations : reachable;
    }
}
