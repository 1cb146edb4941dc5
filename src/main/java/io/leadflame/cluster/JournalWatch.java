package io.leadflame.cluster;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether this node's journal answers, known before anything is written to it: the readiness
 * probe (a primary-key lookup) runs every {@code leadflame.journal-watch.interval}, and after
 * {@code down-after} failed probes in a row the journal counts as down until one answers again.
 *
 * <p>Without it a database outage costs every write the whole write timeout (60 s): the journal
 * plugin's failure stops the contact, which then never answers. With it, writes are refused at
 * once while the journal is down, and writes already waiting are let go when it goes down, both
 * answered {@code 503} with {@code Retry-After} (DECISIONS.md, "The journal down").
 */
public final class JournalWatch implements Extension {

    private static final Logger LOG = LoggerFactory.getLogger(JournalWatch.class);

    private static final ExtensionId<JournalWatch> ID = new ExtensionId<>() {
        @Override
        public JournalWatch createExtension(ActorSystem<?> system) {
            return new JournalWatch(system);
        }
    };

    private final ActorSystem<?> system;
    private final Readiness.Check probe;
    private final Duration interval;
    private final int downAfter;
    private final Set<Runnable> waiting = ConcurrentHashMap.newKeySet();
    /** Why the journal counts as down; null while it answers. */
    private volatile String down;
    /** Only the probe chain touches it, one probe at a time. */
    private int failedInARow;

    private JournalWatch(ActorSystem<?> system) {
        Config c = system.settings().config().getConfig("leadflame.journal-watch");
        this.system = system;
        this.probe = Readiness.journalAnswers(system, c.getDuration("probe-timeout"));
        this.interval = c.getDuration("interval");
        this.downAfter = c.getInt("down-after");
        scheduleProbe();
    }

    public static JournalWatch get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** Why the journal counts as down, or empty while it answers. */
    public Optional<String> down() {
        return Optional.ofNullable(down);
    }

    /**
     * Runs {@code letGo} once if the journal goes down before {@link #doneWaiting} is called with
     * it (a write waiting for its contacts gives up then instead of at its timeout).
     */
    public void whileWaiting(Runnable letGo) {
        waiting.add(letGo);
        if (down != null && waiting.remove(letGo)) {
            letGo.run();
        }
    }

    public void doneWaiting(Runnable letGo) {
        waiting.remove(letGo);
    }

    private void scheduleProbe() {
        if (!system.whenTerminated().isCompleted()) {
            system.scheduler().scheduleOnce(interval, this::runProbe, system.executionContext());
        }
    }

    private void runProbe() {
        probe.run().whenComplete((result, failure) -> {
            if (failure == null && result.ready()) {
                failedInARow = 0;
                if (down != null) {
                    LOG.info("The journal answers again");
                    down = null;
                }
            } else if (++failedInARow >= downAfter && down == null) {
                down = failure != null ? failure.toString() : result.reason();
                LOG.warn("The journal counts as down after {} failed probes: {}; writes are answered 503 until "
                        + "it answers again", failedInARow, down);
                for (Runnable letGo : waiting) {
                    if (waiting.remove(letGo)) {
                        letGo.run();
                    }
                }
            }
            scheduleProbe();
        });
    }
}
