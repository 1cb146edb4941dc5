package io.leadflame.webhooks;

import io.leadflame.TenantBootstrap;
import io.leadflame.leads.ScoreChange;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's copy of every tenant's webhook triggers, kept by {@link TriggersReplicator} and
 * read by the contacts: a score change that crosses one of its tenant's triggers goes to the
 * tenant's {@link WebhookOutbox} through sharding (which holds it while the outbox starts or
 * moves), every other change costs one map lookup.
 */
public final class WebhookTriggers implements Extension {

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

    private WebhookTriggers(ActorSystem<?> system) {
        this.system = system;
    }

    /** Hands the change to its tenant's outbox if it crosses one of the tenant's triggers. */
    public void offer(ScoreChange change) {
        TenantTriggers triggers = byTenant.get(change.tenant());
        if (triggers != null && triggers.firedBy(change)) {
            ClusterSharding.get(system).entityRefFor(WebhookOutbox.TYPE_KEY, change.tenant())
                    .tell(new WebhookOutbox.Crossing(change));
        }
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
                () -> loaded = true);
    }

    /** Whether the triggers of every tenant with webhooks are known here: until then the node is not ready. */
    public boolean isLoaded() {
        return loaded;
    }
}
