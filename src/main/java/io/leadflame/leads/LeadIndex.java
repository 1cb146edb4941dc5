package io.leadflame.leads;

import io.leadflame.api.EventJson;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
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

    private final Map<String, NavigableSet<Lead>> byTenant = new ConcurrentHashMap<>();

    /**
     * Replaces a contact's lead: {@code previous} (null when it had none on this node) by
     * {@code current} (null to take it out). The tenant is the contact's own (interned) name,
     * not one cut from the lead's entity id on every write.
     */
    public void replace(String tenant, Lead previous, Lead current) {
        if (previous == current) {
            return;
        }
        if (previous != null) {
            NavigableSet<Lead> leads = byTenant.get(tenant);
            if (leads != null) {
                leads.remove(previous);
            }
        }
        if (current != null) {
            byTenant.computeIfAbsent(tenant, t -> new ConcurrentSkipListSet<>(ORDER)).add(current);
        }
    }

    /**
     * Up to {@code limit} leads of the tenant that pass {@code filter}, in call-list order,
     * strictly after {@code after} (null: from the top), scanning until the first lead for which
     * {@code past} holds (a bound on score or flames, which fall along the order).
     */
    public List<Lead> page(String tenant, Cursor after, int limit, Predicate<Lead> filter, Predicate<Lead> past) {
        NavigableSet<Lead> leads = byTenant.get(tenant);
        List<Lead> page = new ArrayList<>(Math.min(limit, 1024));
        if (leads == null || limit <= 0) {
            return page;
        }
        Iterable<Lead> from = after == null ? leads : leads.tailSet(after.probe(tenant), false);
        for (Lead lead : from) {
            if (past.test(lead)) {
                break;
            }
            if (filter.test(lead)) {
                page.add(lead);
                if (page.size() == limit) {
                    break;
                }
            }
        }
        return page;
    }

    /** Every lead of the tenant on this node, in call-list order (weakly consistent). */
    public Iterable<Lead> all(String tenant) {
        NavigableSet<Lead> leads = byTenant.get(tenant);
        return leads == null ? List.of() : leads;
    }

    /** A place in call-list order: just after the lead with this score and contact id. */
    public record Cursor(long score, String contactId) {
        Lead probe(String tenant) {
            return new Lead(tenant + "/" + contactId, tenant.length(), score, 0, 0, null, 0, List.of(), null);
        }

        /** The {@code next} of a page as clients get it: opaque, the score and contact id of its last lead. */
        public String encode() {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((score + ":" + contactId).getBytes(StandardCharsets.UTF_8));
        }

        /** The cursor {@link #encode()} gave, or empty for anything else. */
        public static Optional<Cursor> decode(String encoded) {
            try {
                String text = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
                int colon = text.indexOf(':');
                String contactId = text.substring(colon + 1);
                if (colon > 0 && EventJson.isValidContactId(contactId)) {
                    return Optional.of(new Cursor(Long.parseLong(text.substring(0, colon)), contactId));
                }
            } catch (IllegalArgumentException e) {
                // not a cursor (NumberFormatException is one)
            }
            return Optional.empty();
        }
    }
}
