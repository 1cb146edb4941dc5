package io.leadflame.leads;

import io.leadflame.api.EventJson;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Predicate;

/**
 * This node's contacts of every tenant in call-list order: score descending, then contact id.
 * The contacts keep it current themselves (after an event, an expiry, a model change) and take
 * themselves out when they stop here; the call list and the distribution of a tenant are read
 * from it, never from the journal.
 *
 * <p>Each contact holds its own current {@link Lead} and hands it back on the next change, so
 * the index needs no map from contact to lead (a million contacts a node). Safe for concurrent
 * use: contacts update it from many threads, queries read a weakly consistent view.
 *
 * <p>A tenant's leads are grouped by score, each score's leads ordered by entity id (within a
 * tenant the entity ids share their prefix, so they order as the contact ids do). A change that
 * keeps a contact's score (most events, many model changes) is then one lookup that swaps the
 * lead in place, and one that moves it searches only the leads of its old and new score with
 * string keys; one ordered set of all leads took a removal and an insertion through the whole
 * tenant, each comparison reaching into two leads and their ids, which was 45 % of a rescoring
 * (BENCHMARKS.md, "Ingestion at scale").
 */
public final class LeadIndex implements Extension {

    private static final ExtensionId<LeadIndex> ID = new ExtensionId<>() {
        @Override
        public LeadIndex createExtension(ActorSystem<?> system) {
            return new LeadIndex();
        }
    };

    /** The node's index: one per actor system. */
    public static LeadIndex get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /**
     * Call-list order: the highest score first, ties by contact id (within a tenant the entity
     * ids share their prefix, so they order as the contact ids do).
     */
    public static final Comparator<Lead> ORDER = Comparator.comparingLong((Lead l) -> -l.score())
            .thenComparing(Lead::entityId);

    private final Map<String, TenantLeads> byTenant = new ConcurrentHashMap<>();
    /** By tenant, the contacts with events but no lead yet: they wait for the node to read the model. */
    private final Map<String, Set<String>> awaitingModel = new ConcurrentHashMap<>();

    /**
     * One tenant's leads: by score, highest first, then by entity id. A score whose last lead
     * left keeps its (empty) group: groups are never removed, since a removal racing a contact
     * that moves into the group could lose that contact's lead. There are as many groups as
     * distinct scores the tenant's contacts have had on this node (some 150 bytes each), bounded
     * by the range of scores its models give (hundreds for a typical model).
     */
    private static final class TenantLeads {
        final ConcurrentSkipListMap<Long, ConcurrentSkipListMap<String, Lead>> byScore =
                new ConcurrentSkipListMap<>(Comparator.reverseOrder());

        ConcurrentSkipListMap<String, Lead> withScore(long score) {
            ConcurrentSkipListMap<String, Lead> leads = byScore.get(score);
            return leads != null ? leads : byScore.computeIfAbsent(score, s -> new ConcurrentSkipListMap<>());
        }
    }

    /**
     * Replaces a contact's lead: {@code previous} (null when it had none on this node) by
     * {@code current} (null to take it out). The tenant is the contact's own (interned) name,
     * not one cut from the lead's entity id on every write.
     */
    public void replace(String tenant, Lead previous, Lead current) {
        if (previous == current) {
            return;
        }
        TenantLeads leads = byTenant.get(tenant);
        if (previous != null && leads != null && (current == null || current.score() != previous.score())) {
            ConcurrentSkipListMap<String, Lead> was = leads.byScore.get(previous.score());
            if (was != null) {
                // Only this very lead (records compare their parts; the history by identity):
                // never one a newer incarnation of the contact placed meanwhile.
                was.remove(previous.entityId(), previous);
            }
        }
        if (current != null) {
            if (leads == null) {
                leads = byTenant.computeIfAbsent(tenant, t -> new TenantLeads());
            }
            leads.withScore(current.score()).put(current.entityId(), current);
        }
    }

    /**
     * Up to {@code limit} leads of the tenant that pass {@code filter}, in call-list order,
     * strictly after {@code after} (null: from the top), scanning until the first lead for which
     * {@code past} holds (a bound on score or flames, which fall along the order).
     */
    public List<Lead> page(String tenant, Cursor after, int limit, Predicate<Lead> filter, Predicate<Lead> past) {
        TenantLeads leads = byTenant.get(tenant);
        List<Lead> page = new ArrayList<>(Math.min(limit, 1024));
        if (leads == null || limit <= 0) {
            return page;
        }
        NavigableMap<Long, ConcurrentSkipListMap<String, Lead>> scores =
                after == null ? leads.byScore : leads.byScore.tailMap(after.score(), true);
        for (Map.Entry<Long, ConcurrentSkipListMap<String, Lead>> withScore : scores.entrySet()) {
            Collection<Lead> from = after != null && withScore.getKey() == after.score()
                    ? withScore.getValue().tailMap(tenant + "/" + after.contactId(), false).values()
                    : withScore.getValue().values();
            for (Lead lead : from) {
                if (past.test(lead)) {
                    return page;
                }
                if (filter.test(lead)) {
                    page.add(lead);
                    if (page.size() == limit) {
                        return page;
                    }
                }
            }
        }
        return page;
    }

    /** Every lead of the tenant on this node, in call-list order (weakly consistent). */
    public Iterable<Lead> all(String tenant) {
        TenantLeads leads = byTenant.get(tenant);
        if (leads == null) {
            return List.of();
        }
        return () -> new Iterator<>() {
            private final Iterator<ConcurrentSkipListMap<String, Lead>> scores = leads.byScore.values().iterator();
            private Iterator<Lead> withScore = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!withScore.hasNext() && scores.hasNext()) {
                    withScore = scores.next().values().iterator();
                }
                return withScore.hasNext();
            }

            @Override
            public Lead next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return withScore.next();
            }
        };
    }

    /**
     * A contact of the tenant holds events but has no lead, its tenant's model being still
     * unread on this node (its start, or a stored version it cannot read): the next rescoring of
     * the tenant must reach it although it is not in the index.
     */
    public void awaitingModel(String tenant, String entityId) {
        awaitingModel.computeIfAbsent(tenant, t -> ConcurrentHashMap.newKeySet()).add(entityId);
    }

    /**
     * The contacts of the tenant that said they await its model, taken out: a rescoring asks
     * them. None of them is forgotten: one that says so after this has read the model already
     * (see {@code ContactEntity}).
     */
    public List<String> takeAwaitingModel(String tenant) {
        Set<String> waiting = awaitingModel.get(tenant);
        List<String> taken = new ArrayList<>();
        if (waiting != null) {
            for (String entityId : waiting) {
                if (waiting.remove(entityId)) {
                    taken.add(entityId);
                }
            }
        }
        return taken;
    }

    /** A place in call-list order: just after the lead with this score and contact id. */
    public record Cursor(long score, String contactId) {
        /** The {@code next} of a page as clients get it: opaque, the score and contact id of its last lead. */
        public String encode() {
            return PageCursors.encode(score, contactId);
        }

        /** The cursor {@link #encode()} gave, or empty for anything else. */
        public static Optional<Cursor> decode(String encoded) {
            return PageCursors.decode(encoded, 2).filter(parts -> EventJson.isValidContactId(parts[1]))
                    .flatMap(parts -> PageCursors.number(parts[0]).map(score -> new Cursor(score, parts[1])));
        }
    }
}
