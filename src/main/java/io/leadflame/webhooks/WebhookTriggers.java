package io.leadflame.webhooks;

import io.leadflame.persistence.TenantBootstrap;
import io.leadflame.changes.ScoreChange;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This node's copy of every tenant's webhook triggers, kept by {@link TriggersReplicator} and
 * read by the contacts: a score change that crosses one of its tenant's triggers goes to the
 * node's {@link CrossingForwarder}, on to the tenant's {@link WebhookOutbox}; every other change
 * costs one map lookup.
 */
public final class WebhookTriggers implements Extension {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookTriggers.class);
    /** Changes held at most while the node reads the triggers at its start. */
    static final int MAX_WAITING = 100_000;

    private static final ExtensionId<WebhookTriggers> ID = new ExtensionId<>() {
        @Override
        public WebhookTriggers createExtension(ActorSystem<?> system) {
            return new WebhookTriggers(system);
        }
    };

    public static WebhookTriggers get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    private final ActorSystem<?> system;
    private final ConcurrentHashMap<String, TenantTriggers> byTenant = new ConcurrentHashMap<>();
    private volatile boolean loaded;
    /** Where crossings go; null on a node without webhooks (the call list switched off). */
    private volatile ActorRef<CrossingForwarder.Command> forwarder;
    private final ConcurrentLinkedQueue<ScoreChange> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waitingCount = new AtomicInteger();

    private WebhookTriggers(ActorSystem<?> system) {
        this.system = system;
    }

    /**
     * Hands the change to its tenant's outbox if it crosses one of the tenant's triggers (each
     * follows one score: the default one, or a named one). Until
     * every tenant's triggers are read at the node's start, changes wait (up to
     * {@link #MAX_WAITING}): contacts on this node already get events from other nodes.
     */
    public void offer(ScoreChange change) {
        if (!loaded) {
            if (waitingCount.incrementAndGet() <= MAX_WAITING) {
                waiting.add(change);
            } else {
                LOG.error("A score change of {} dropped: this node is still reading the webhook triggers",
                        change.tenant());
            }
            if (loaded) {
                offerWaiting();
            }
            return;
        }
        TenantTriggers triggers = byTenant.get(change.tenant());
        ActorRef<CrossingForwarder.Command> to = forwarder;
        if (triggers != null && triggers.firedBy(change) && to != null) {
            to.tell(new CrossingForwarder.Forward(change));
        }
    }

    private void offerWaiting() {
        ScoreChange change;
        while ((change = waiting.poll()) != null) {
            offer(change);
        }
    }

    /** Called once by {@link WebhookOutbox#init}. */
    void forwardTo(ActorRef<CrossingForwarder.Command> forwarder) {
        this.forwarder = forwarder;
    }

    /** Whether any webhook of the tenant was ever known here (its outbox exists). */
    public boolean has(String tenant) {
        return byTenant.containsKey(tenant);
    }

    /** Whether one of the tenant's webhooks follows its named score {@code score} (read on every write of its contacts). */
    public boolean follow(String tenant, String score) {
        TenantTriggers triggers = byTenant.get(tenant);
        return triggers != null && triggers.follow(score);
    }

    /** Keeps {@code triggers} unless a newer version of the tenant's is already here. */
    void learn(String tenant, TenantTriggers triggers) {
        byTenant.merge(tenant, triggers, (known, offered) -> offered.version() > known.version() ? offered : known);
    }

    /**
     * Reads every tenant's triggers into this node at start (through {@link TenantBootstrap}):
     * asking starts the tenant's outbox, which resumes its pending deliveries.
     */
    public TenantBootstrap.Loader loader(Duration askTimeout) {
        return new TenantBootstrap.Loader(WebhookOutbox.TYPE_KEY.name(),
                tenant -> ClusterSharding.get(system).entityRefFor(WebhookOutbox.TYPE_KEY, tenant)
                        .ask(WebhookOutbox.GetTriggers::new, askTimeout)
                        .thenAccept(triggers -> learn(tenant, triggers)),
                () -> {
                    loaded = true;
                    offerWaiting();
                });
    }

    /** Whether the triggers of every tenant with webhooks are known here: until then the node is not ready. */
    public boolean isLoaded() {
        return loaded;
    }
}
