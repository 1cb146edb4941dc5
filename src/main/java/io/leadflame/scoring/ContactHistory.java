package io.leadflame.scoring;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What a contact keeps in order to be scored at any instant from now on: per tag and per field
 * the changes that can still decide its state, the retained activities per name, when it was
 * first and last seen, and the ids of its recent events.
 *
 * <p>State is derived by last-writer-wins on {@code occurredAt}, never on arrival order, so the
 * same set of events gives the same history in any order. Changes superseded at the instant of
 * recording are forgotten; changes dated in the future (up to the 5 minutes the API allows) are
 * kept until they take effect, so that a score at a later instant sees them.
 *
 * @param tags       per tag, the changes that can still decide it, oldest first
 * @param fields     per field, the updates that can still decide it, oldest first
 * @param activities per activity name, the retained activities, oldest first
 */
public record ContactHistory(
        Map<String, List<TagChange>> tags,
        Map<String, List<FieldChange>> fields,
        Map<String, List<ActivityRecord>> activities,
        Optional<Instant> firstSeen,
        Optional<Instant> lastEventAt,
        EventIdWindow recentEventIds) {

    public static final ContactHistory EMPTY = new ContactHistory(
            Map.of(), Map.of(), Map.of(), Optional.empty(), Optional.empty(), EventIdWindow.EMPTY);

    /** A tag applied or removed at an instant. At equal instants a removal wins. */
    public record TagChange(Instant at, boolean applied) {
    }

    /** A field set at an instant ({@code value} null: removed), by the event {@code eventId}. */
    public record FieldChange(Instant at, Optional<String> eventId, Object value) {
        public FieldChange {
            value = Values.normalize(value);
        }
    }

    /** Last-writer-wins order of tag changes: later wins; at the same instant a removal wins. */
    private static final Comparator<TagChange> TAG_ORDER =
            Comparator.comparing(TagChange::at).thenComparing(c -> !c.applied());

    /**
     * Last-writer-wins order of field updates: later wins; at the same instant the greater event
     * id wins (one with an id beats one without); between two without, the greater JSON text.
     */
    private static final Comparator<FieldChange> FIELD_ORDER = Comparator.comparing(FieldChange::at)
            .thenComparing(c -> c.eventId().isPresent())
            .thenComparing(c -> c.eventId().orElse(""))
            .thenComparing(c -> Values.jsonText(c.value()));

    public ContactHistory {
        tags = readOnly(tags);
        fields = readOnly(fields);
        activities = readOnly(activities);
    }

    /** Whether this event was already recorded (same event id, within the dedupe window). */
    public boolean hasSeen(ContactEvent event) {
        return event.eventId().map(recentEventIds::contains).orElse(false);
    }

    /**
     * This history with {@code event} added. The caller drops duplicates first ({@link #hasSeen});
     * {@code now} only decides what is superseded and can be forgotten.
     */
    public ContactHistory record(ContactEvent event, Instant now, HistoryLimits limits) {
        Instant at = event.occurredAt();
        Map<String, List<TagChange>> newTags = tags;
        Map<String, List<FieldChange>> newFields = fields;
        Map<String, List<ActivityRecord>> newActivities = activities;
        switch (event.kind()) {
            case TAG_APPLIED, TAG_REMOVED -> {
                String tag = event.tag().orElseThrow(() -> new IllegalArgumentException("tag event without tag"));
                TagChange change = new TagChange(at, event.kind() == EventKind.TAG_APPLIED);
                newTags = with(tags, tag, keepDeciding(tags.get(tag), change, TAG_ORDER, TagChange::at, now));
            }
            case FIELDS_UPDATED -> {
                Map<String, List<FieldChange>> copy = new HashMap<>(fields);
                event.fields().forEach((name, value) -> copy.put(name,
                        keepDeciding(fields.get(name), new FieldChange(at, event.eventId(), value),
                                FIELD_ORDER, FieldChange::at, now)));
                newFields = copy;
            }
            case ACTIVITY -> {
                List<ActivityRecord> old = activities.getOrDefault(event.type(), List.of());
                List<ActivityRecord> list = new ArrayList<>(old.size() + 1);
                list.addAll(old);
                ActivityRecord record = new ActivityRecord(at, event.attributes());
                int i = list.size();
                while (i > 0 && list.get(i - 1).occurredAt().isAfter(at)) {
                    i--;
                }
                list.add(i, record);
                newActivities = with(activities, event.type(), List.copyOf(list));
            }
        }
        Optional<Instant> first = firstSeen.filter(f -> !f.isAfter(at)).or(() -> Optional.of(at));
        Optional<Instant> last = lastEventAt.filter(l -> !l.isBefore(at)).or(() -> Optional.of(at));
        EventIdWindow ids = event.eventId().map(id -> recentEventIds.add(id, limits.dedupeWindow())).orElse(recentEventIds);
        return new ContactHistory(newTags, newFields, newActivities, first, last, ids);
    }

    /**
     * The changes that can still decide a value at {@code now} or later: the winner among those
     * dated up to now, and every change dated after now.
     */
    private static <C> List<C> keepDeciding(List<C> old, C added, Comparator<C> order,
                                            Function<C, Instant> at, Instant now) {
        List<C> all = new ArrayList<>(old == null ? 1 : old.size() + 1);
        if (old != null) {
            all.addAll(old);
        }
        all.add(added);
        all.sort(order);
        C winnerSoFar = null;
        List<C> kept = new ArrayList<>(all.size());
        for (C c : all) {
            if (at.apply(c).isAfter(now)) {
                kept.add(c);
            } else {
                winnerSoFar = c;
            }
        }
        if (winnerSoFar != null) {
            kept.add(0, winnerSoFar);
        }
        return List.copyOf(kept);
    }

    /** When the tag was applied, if the contact holds it at {@code t}. */
    public Optional<Instant> tagAppliedAt(String tag, Instant t) {
        TagChange winner = latestAt(tags.get(tag), TagChange::at, t);
        return winner != null && winner.applied() ? Optional.of(winner.at()) : Optional.empty();
    }

    /** The tags held at {@code t}, with when each was applied. */
    public Map<String, Instant> tagsAt(Instant t) {
        Map<String, Instant> held = new TreeMap<>();
        tags.keySet().forEach(tag -> tagAppliedAt(tag, t).ifPresent(appliedAt -> held.put(tag, appliedAt)));
        return held;
    }

    /** The field's value at {@code t} (null when absent or removed). */
    public Object fieldAt(String field, Instant t) {
        FieldChange winner = latestAt(fields.get(field), FieldChange::at, t);
        return winner == null ? null : winner.value();
    }

    /** The contact's fields at {@code t}. */
    public Map<String, Object> fieldsAt(Instant t) {
        Map<String, Object> values = new TreeMap<>();
        fields.keySet().forEach(name -> {
            Object v = fieldAt(name, t);
            if (v != null) {
                values.put(name, v);
            }
        });
        return values;
    }

    /** The retained activities of that name, oldest first. */
    public List<ActivityRecord> activities(String name) {
        return activities.getOrDefault(name, List.of());
    }

    /** Every instant at which a change of this tag is recorded. */
    List<TagChange> tagChanges(String tag) {
        return tags.getOrDefault(tag, List.of());
    }

    /** Every instant at which an update of this field is recorded. */
    List<FieldChange> fieldChanges(String field) {
        return fields.getOrDefault(field, List.of());
    }

    /** The last change in sorted {@code changes} dated at or before {@code t}, or null. */
    private static <C> C latestAt(List<C> changes, Function<C, Instant> at, Instant t) {
        if (changes == null) {
            return null;
        }
        C found = null;
        for (C c : changes) {
            if (at.apply(c).isAfter(t)) {
                break;
            }
            found = c;
        }
        return found;
    }

    public int activityCount() {
        int n = 0;
        for (List<ActivityRecord> list : activities.values()) {
            n += list.size();
        }
        return n;
    }

    /** Whether some activity name holds more than the limits keep without a need of the model. */
    public boolean exceeds(HistoryLimits limits) {
        for (List<ActivityRecord> list : activities.values()) {
            if (list.size() > limits.activitiesPerName()) {
                return true;
            }
        }
        return false;
    }

    /**
     * This history without the activities that {@code model} can never count again from
     * {@code now} on and that are beyond the retention limits (too old, or past the newest
     * {@code activitiesPerName} of their name). Scores under {@code model} do not change.
     */
    public ContactHistory forgetBeyond(ScoringModel model, Instant now, HistoryLimits limits) {
        Instant oldest = now.minus(limits.activityRetention());
        Map<String, List<ActivityRecord>> kept = new HashMap<>();
        boolean changed = false;
        for (Map.Entry<String, List<ActivityRecord>> e : activities.entrySet()) {
            List<ActivityRecord> list = e.getValue();
            List<Rule> rules = rulesOn(model, e.getKey());
            boolean[] keep = new boolean[list.size()];
            int firstRecent = Math.max(0, list.size() - limits.activitiesPerName());
            for (int i = 0; i < list.size(); i++) {
                keep[i] = i >= firstRecent && !list.get(i).occurredAt().isBefore(oldest);
            }
            for (Rule rule : rules) {
                markNeeded(rule, list, now, keep);
            }
            List<ActivityRecord> remaining = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                if (keep[i]) {
                    remaining.add(list.get(i));
                }
            }
            changed |= remaining.size() != list.size();
            if (!remaining.isEmpty()) {
                kept.put(e.getKey(), List.copyOf(remaining));
            }
        }
        return changed ? new ContactHistory(tags, fields, kept, firstSeen, lastEventAt, recentEventIds) : this;
    }

    private static List<Rule> rulesOn(ScoringModel model, String activity) {
        List<Rule> found = new ArrayList<>();
        for (Rule r : model.rules()) {
            if (r.criterion().activityName().filter(activity::equals).isPresent()) {
                found.add(r);
            }
        }
        return found;
    }

    /**
     * Marks the activities {@code rule} still needs: for a rule counted once (and for inactivity)
     * the latest match up to now and every match after now decide everything; a rule counted for
     * each needs every live match, or every match after now and only the newest past ones as many
     * as {@code maxPoints} can use.
     */
    private static void markNeeded(Rule rule, List<ActivityRecord> list, Instant now, boolean[] keep) {
        Criterion c = rule.criterion();
        boolean each = rule.count() == CountMode.EACH;
        long useful = each && rule.maxPoints().isPresent()
                ? (rule.maxPoints().get() + Math.abs(rule.points()) - 1) / Math.abs(rule.points())
                : Long.MAX_VALUE;
        boolean latestPastKept = false;
        for (int i = list.size() - 1; i >= 0; i--) {
            ActivityRecord a = list.get(i);
            boolean matches = c instanceof Criterion.Activity act ? act.matches(a)
                    : c instanceof Criterion.Inactivity ina && ina.matches(a);
            if (!matches) {
                continue;
            }
            boolean live = rule.expiresAfter().map(e -> a.occurredAt().plus(e.length()).isAfter(now)).orElse(true);
            if (!live) {
                continue;
            }
            if (each) {
                // One dated ahead does not count yet: it must not take the place of a past one that does.
                if (a.occurredAt().isAfter(now)) {
                    keep[i] = true;
                } else if (useful > 0) {
                    keep[i] = true;
                    useful--;
                }
            } else if (a.occurredAt().isAfter(now)) {
                keep[i] = true;
            } else if (!latestPastKept) {
                keep[i] = true;
                latestPastKept = true;
            }
        }
    }

    private static <V> Map<String, V> with(Map<String, V> map, String key, V value) {
        Map<String, V> copy = new HashMap<>(map);
        copy.put(key, value);
        return copy;
    }

    private static <V> Map<String, V> readOnly(Map<String, V> map) {
        return map == null || map.isEmpty() ? Map.of() : Collections.unmodifiableMap(new HashMap<>(map));
    }
}
