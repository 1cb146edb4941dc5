package io.leadflame.scoring;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.ToLongFunction;

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
 * <p>Memory layout: a node keeps a million of these live, so a history is a handful of sorted
 * arrays rather than maps of lists of small objects — instants are epoch nanoseconds in
 * {@code long}s, names are interned and attribute maps shared ({@link Canonical}). An update
 * copies the arrays (a contact holds tens of entries) and leaves this instance unchanged.
 */
public final class ContactHistory {

    private static final long ABSENT = Long.MIN_VALUE;
    private static final boolean[] NO_FLAGS = new boolean[0];
    private static final FieldChange[] NO_FIELDS = new FieldChange[0];
    private static final String[] NO_NAMES = new String[0];
    private static final long[] NO_TIMES = new long[0];
    @SuppressWarnings("unchecked")
    private static final Map<String, Object>[] NO_ATTRIBUTES = new Map[0];

    public static final ContactHistory EMPTY = new ContactHistory(
            NO_NAMES, NO_TIMES, NO_FLAGS, NO_FIELDS, NO_NAMES, NO_TIMES, NO_ATTRIBUTES, ABSENT, ABSENT, NO_TIMES);

    /** A tag applied or removed at an instant. At equal instants a removal wins. */
    public record TagChange(String tag, long atNanos, boolean applied) {
        public Instant at() {
            return Instants.ofNanos(atNanos);
        }
    }

    /**
     * A field set at an instant ({@code value} null: removed), by the event with that id (null:
     * none). The id, kept only to break ties between changes at the same instant, is held as its
     * UTF-8 bytes: 24 bytes less than a {@code String} per field of a million contacts.
     */
    public static final class FieldChange {
        private final String field;
        private final long atNanos;
        private final byte[] eventId;
        private final Object value;

        public FieldChange(String field, long atNanos, String eventIdOrNull, Object value) {
            this.field = field;
            this.atNanos = atNanos;
            this.eventId = eventIdOrNull == null ? null : eventIdOrNull.getBytes(StandardCharsets.UTF_8);
            this.value = value;
        }

        public String field() {
            return field;
        }

        public long atNanos() {
            return atNanos;
        }

        public String eventIdOrNull() {
            return eventId == null ? null : new String(eventId, StandardCharsets.UTF_8);
        }

        public Object value() {
            return value;
        }

        public Instant at() {
            return Instants.ofNanos(atNanos);
        }

        public Optional<String> eventId() {
            return Optional.ofNullable(eventIdOrNull());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FieldChange c && field.equals(c.field) && atNanos == c.atNanos
                    && Arrays.equals(eventId, c.eventId) && Objects.equals(value, c.value);
        }

        @Override
        public int hashCode() {
            return Objects.hash(field, atNanos, Arrays.hashCode(eventId), value);
        }

        @Override
        public String toString() {
            return "FieldChange[" + field + " at " + at() + " by " + eventIdOrNull() + ": " + value + "]";
        }
    }

    /** By tag, then last-writer-wins order: later wins; at the same instant a removal wins. */
    private static final Comparator<TagChange> TAG_ORDER = Comparator.comparing(TagChange::tag)
            .thenComparingLong(TagChange::atNanos)
            .thenComparing(c -> !c.applied());

    /**
     * By field, then last-writer-wins order: later wins; at the same instant the greater event
     * id wins (one with an id beats one without); between two without, the greater JSON text.
     */
    private static final Comparator<FieldChange> FIELD_ORDER = Comparator.comparing(FieldChange::field)
            .thenComparingLong(FieldChange::atNanos)
            .thenComparing(c -> c.eventIdOrNull() != null)
            .thenComparing(c -> c.eventIdOrNull() == null ? "" : c.eventIdOrNull())
            .thenComparing(c -> Values.jsonText(c.value()));

    /**
     * Tag changes as three parallel columns sorted by {@link #TAG_ORDER} (the changes of one tag
     * are adjacent): a column costs a contact ~80 bytes less than an array of {@link TagChange}s.
     */
    private final String[] tagNames;
    private final long[] tagTimes;
    private final boolean[] tagApplied;
    /** Sorted by {@link #FIELD_ORDER}. */
    private final FieldChange[] fields;
    /** Activities as three parallel columns sorted by name, then occurrence (arrival order at equal instants). */
    private final String[] activityNames;
    private final long[] activityTimes;
    private final Map<String, Object>[] activityAttributes;
    private final long firstSeen;
    private final long lastEventAt;
    /** The hashes of {@link #recentEventIds()}, oldest first (no wrapper object per contact). */
    private final long[] recentEventIds;

    private ContactHistory(String[] tagNames, long[] tagTimes, boolean[] tagApplied, FieldChange[] fields,
                           String[] activityNames, long[] activityTimes, Map<String, Object>[] activityAttributes,
                           long firstSeen, long lastEventAt, long[] recentEventIds) {
        this.tagNames = tagNames;
        this.tagTimes = tagTimes;
        this.tagApplied = tagApplied;
        this.fields = fields;
        this.activityNames = activityNames;
        this.activityTimes = activityTimes;
        this.activityAttributes = activityAttributes;
        this.firstSeen = firstSeen;
        this.lastEventAt = lastEventAt;
        this.recentEventIds = recentEventIds;
    }

    /**
     * A history as a storage codec reads it back (a contact's snapshot): the columns as
     * {@link #tag}, {@link #field} and the activity views gave them, in that order; names and
     * values are made canonical (interned, shared) here.
     */
    public static ContactHistory restore(TagChange[] tags, FieldChange[] fields, String[] activityNames,
                                         long[] activityTimes, Map<String, Object>[] activityAttributes,
                                         long firstSeen, long lastEventAt, long[] recentEventIds) {
        TagChange[] canonicalTags = new TagChange[tags.length];
        for (int i = 0; i < tags.length; i++) {
            canonicalTags[i] = new TagChange(Canonical.name(tags[i].tag()), tags[i].atNanos(), tags[i].applied());
        }
        FieldChange[] canonicalFields = new FieldChange[fields.length];
        for (int i = 0; i < fields.length; i++) {
            FieldChange f = fields[i];
            canonicalFields[i] = new FieldChange(Canonical.name(f.field()), f.atNanos(), f.eventIdOrNull(),
                    Canonical.value(f.value()));
        }
        String[] names = new String[activityNames.length];
        @SuppressWarnings("unchecked")
        Map<String, Object>[] attributes = new Map[activityAttributes.length];
        for (int i = 0; i < names.length; i++) {
            names[i] = Canonical.name(activityNames[i]);
            attributes[i] = Canonical.attributes(activityAttributes[i]);
        }
        return new ContactHistory(canonicalTags, canonicalFields, names, activityTimes, attributes, firstSeen,
                lastEventAt, new EventIdWindow(recentEventIds));
    }

    /** A history from its columns; {@code tags} sorted by {@link #TAG_ORDER}. */
    ContactHistory(TagChange[] tags, FieldChange[] fields, String[] activityNames, long[] activityTimes,
                   Map<String, Object>[] activityAttributes, long firstSeen, long lastEventAt,
                   EventIdWindow recentEventIds) {
        this(tagNamesOf(tags), tagTimesOf(tags), tagAppliedOf(tags), fields, activityNames, activityTimes,
                activityAttributes, firstSeen, lastEventAt, recentEventIds.hashes());
    }

    private static String[] tagNamesOf(TagChange[] tags) {
        String[] names = new String[tags.length];
        for (int i = 0; i < tags.length; i++) {
            names[i] = tags[i].tag();
        }
        return names;
    }

    private static long[] tagTimesOf(TagChange[] tags) {
        long[] times = new long[tags.length];
        for (int i = 0; i < tags.length; i++) {
            times[i] = tags[i].atNanos();
        }
        return times;
    }

    private static boolean[] tagAppliedOf(TagChange[] tags) {
        boolean[] applied = new boolean[tags.length];
        for (int i = 0; i < tags.length; i++) {
            applied[i] = tags[i].applied();
        }
        return applied;
    }

    private TagChange[] tagChanges() {
        TagChange[] changes = new TagChange[tagNames.length];
        for (int i = 0; i < changes.length; i++) {
            changes[i] = tag(i);
        }
        return changes;
    }

    public Optional<Instant> firstSeen() {
        return firstSeen == ABSENT ? Optional.empty() : Optional.of(Instants.ofNanos(firstSeen));
    }

    public Optional<Instant> lastEventAt() {
        return lastEventAt == ABSENT ? Optional.empty() : Optional.of(Instants.ofNanos(lastEventAt));
    }

    public boolean isEmpty() {
        return firstSeen == ABSENT;
    }

    public EventIdWindow recentEventIds() {
        return new EventIdWindow(recentEventIds);
    }

    /** Whether this event was already recorded (same event id, within the dedupe window). */
    public boolean hasSeen(ContactEvent event) {
        return event.eventId().map(recentEventIds()::contains).orElse(false);
    }

    /**
     * This history with {@code event} added. The caller drops duplicates first ({@link #hasSeen});
     * {@code now} only decides what is superseded and can be forgotten.
     */
    public ContactHistory record(ContactEvent event, Instant now, HistoryLimits limits) {
        long at = Instants.nanos(event.occurredAt());
        long nowNanos = Instants.nanos(now);
        String[] newTagNames = tagNames;
        long[] newTagTimes = tagTimes;
        boolean[] newTagApplied = tagApplied;
        FieldChange[] newFields = fields;
        String[] names = activityNames;
        long[] times = activityTimes;
        Map<String, Object>[] attributes = activityAttributes;
        switch (event.kind()) {
            case TAG_APPLIED, TAG_REMOVED -> {
                String tag = Canonical.name(event.tag()
                        .orElseThrow(() -> new IllegalArgumentException("tag event without tag")));
                TagChange[] changes = keepDeciding(tagChanges(),
                        new TagChange(tag, at, event.kind() == EventKind.TAG_APPLIED),
                        TAG_ORDER, TagChange::tag, TagChange::atNanos, nowNanos, TagChange[]::new);
                newTagNames = tagNamesOf(changes);
                newTagTimes = tagTimesOf(changes);
                newTagApplied = tagAppliedOf(changes);
            }
            case FIELDS_UPDATED -> {
                String eventId = event.eventId().orElse(null);
                for (Map.Entry<String, Object> f : event.fields().entrySet()) {
                    FieldChange change = new FieldChange(Canonical.name(f.getKey()), at, eventId,
                            Canonical.value(f.getValue()));
                    newFields = keepDeciding(newFields, change, FIELD_ORDER, FieldChange::field,
                            FieldChange::atNanos, nowNanos, FieldChange[]::new);
                }
            }
            case ACTIVITY -> {
                String name = Canonical.name(event.type());
                int i = activityEnd(name);
                while (i > 0 && activityNames[i - 1].equals(name) && activityTimes[i - 1] > at) {
                    i--;
                }
                names = insert(activityNames, i, name, String[]::new);
                times = insert(activityTimes, i, at);
                attributes = insert(activityAttributes, i, Canonical.attributes(event.attributes()), Map[]::new);
            }
        }
        long first = firstSeen == ABSENT ? at : Math.min(firstSeen, at);
        long last = lastEventAt == ABSENT ? at : Math.max(lastEventAt, at);
        long[] ids = event.eventId()
                .map(id -> recentEventIds().add(id, limits.dedupeWindow()).hashes()).orElse(recentEventIds);
        return new ContactHistory(newTagNames, newTagTimes, newTagApplied, newFields, names, times, attributes,
                first, last, ids);
    }

    /**
     * {@code sorted} with {@code added}, keeping of the changes of its key only those that can
     * still decide a value at {@code now} or later: the winner among those dated up to now, and
     * every change dated after now.
     */
    private static <C> C[] keepDeciding(C[] sorted, C added, Comparator<C> order,
                                        Function<C, String> key,
                                        ToLongFunction<C> at, long now,
                                        IntFunction<C[]> newArray) {
        String k = key.apply(added);
        int from = 0;
        while (from < sorted.length && key.apply(sorted[from]).compareTo(k) < 0) {
            from++;
        }
        int to = from;
        while (to < sorted.length && key.apply(sorted[to]).equals(k)) {
            to++;
        }
        List<C> all = new ArrayList<>(to - from + 1);
        all.addAll(Arrays.asList(sorted).subList(from, to));
        all.add(added);
        all.sort(order);
        C winnerSoFar = null;
        List<C> kept = new ArrayList<>(all.size());
        for (C c : all) {
            if (at.applyAsLong(c) > now) {
                kept.add(c);
            } else {
                winnerSoFar = c;
            }
        }
        if (winnerSoFar != null) {
            kept.add(0, winnerSoFar);
        }
        C[] out = newArray.apply(sorted.length - (to - from) + kept.size());
        System.arraycopy(sorted, 0, out, 0, from);
        for (int i = 0; i < kept.size(); i++) {
            out[from + i] = kept.get(i);
        }
        System.arraycopy(sorted, to, out, from + kept.size(), sorted.length - to);
        return out;
    }

    /** When the tag was applied, if the contact holds it at {@code t}. */
    public Optional<Instant> tagAppliedAt(String tag, Instant t) {
        long since = tagHeldSinceNanos(tag, Instants.nanos(t));
        return since == Long.MIN_VALUE ? Optional.empty() : Optional.of(Instants.ofNanos(since));
    }

    /** The tags held at {@code t}, with when each was applied. */
    public Map<String, Instant> tagsAt(Instant t) {
        long at = Instants.nanos(t);
        Map<String, Instant> held = new TreeMap<>();
        int winner = -1;
        for (int i = 0; i < tagNames.length; i++) {
            if (tagTimes[i] <= at) {
                winner = i;
            }
            boolean lastOfTag = i + 1 == tagNames.length || !tagNames[i + 1].equals(tagNames[i]);
            if (lastOfTag) {
                if (winner >= 0 && tagApplied[winner]) {
                    held.put(tagNames[winner], Instants.ofNanos(tagTimes[winner]));
                }
                winner = -1;
            }
        }
        return held;
    }

    /** The field's value at {@code t} (null when absent or removed). */
    public Object fieldAt(String field, Instant t) {
        return fieldAtNanos(field, Instants.nanos(t));
    }

    /** The contact's fields at {@code t}. */
    public Map<String, Object> fieldsAt(Instant t) {
        long at = Instants.nanos(t);
        Map<String, Object> values = new TreeMap<>();
        for (FieldChange c : fields) {
            if (c.atNanos() <= at) {
                if (c.value() == null) {
                    values.remove(c.field());
                } else {
                    values.put(c.field(), c.value());
                }
            }
        }
        return values;
    }

    /** The retained activities of that name, oldest first. */
    public List<ActivityRecord> activities(String name) {
        return new ActivityView(activityStart(name), activityEnd(name));
    }

    /**
     * The activities of one name as a list over the columns, without copying them: scoring
     * walks them once per rule that looks at them, and a copy per walk cost more than the walk
     * (a contact with 20,000 activities and 1,000 rules, measured).
     */
    private final class ActivityView extends AbstractList<ActivityRecord> implements RandomAccess {
        private final int start;
        private final int end;

        ActivityView(int start, int end) {
            this.start = start;
            this.end = end;
        }

        @Override
        public ActivityRecord get(int index) {
            Objects.checkIndex(index, end - start);
            return new ActivityRecord(Instants.ofNanos(activityTimes[start + index]), activityAttributes[start + index]);
        }

        @Override
        public int size() {
            return end - start;
        }
    }

    /**
     * The index of the first activity of {@code name} (where it would go when there is none):
     * those of one name are adjacent, oldest first. The scorer walks them by index.
     */
    int activityStart(String name) {
        return activityBound(name, false);
    }

    /** The index just past the activities of {@code name} (where one more of them goes). */
    int activityEnd(String name) {
        return activityBound(name, true);
    }

    /** Binary search over the sorted names: the first index past those before (or up to) {@code name}. */
    private int activityBound(String name, boolean pastEqual) {
        int lo = 0;
        int hi = activityNames.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int c = activityNames[mid].compareTo(name);
            if (c < 0 || (pastEqual && c == 0)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    // The scorer's view: instants as epoch nanoseconds and activities by index, so that scoring
    // a contact allocates no Instant, record or list per activity, tag or field it reads (a
    // rescoring of 100,000 contacts allocated 2 GB through them, 20 KB a contact).

    /** When the tag was applied, in epoch nanoseconds, if the contact holds it at {@code atNanos}; else {@link Long#MIN_VALUE}. */
    long tagHeldSinceNanos(String tag, long atNanos) {
        int winner = -1;
        for (int i = 0; i < tagNames.length; i++) {
            if (tagNames[i].equals(tag) && tagTimes[i] <= atNanos) {
                winner = i;
            }
        }
        return winner >= 0 && tagApplied[winner] ? tagTimes[winner] : Long.MIN_VALUE;
    }

    /** The field's value at {@code atNanos} (null when absent or removed). */
    Object fieldAtNanos(String field, long atNanos) {
        Object value = null;
        for (FieldChange c : fields) {
            if (c.field().equals(field) && c.atNanos() <= atNanos) {
                value = c.value();
            }
        }
        return value;
    }

    String tagName(int i) {
        return tagNames[i];
    }

    long tagTime(int i) {
        return tagTimes[i];
    }

    boolean tagApplied(int i) {
        return tagApplied[i];
    }

    public int activityCount() {
        return activityNames.length;
    }

    /** Whether some activity name holds more than the limits keep without a need of the model. */
    public boolean exceeds(HistoryLimits limits) {
        return holdsMoreThan(limits.activitiesPerName());
    }

    /**
     * Whether some activity name holds a quarter more than the limits keep: worth a compaction
     * (each is a journal row, so a busy contact makes one per quarter of the limit, not one per event).
     */
    public boolean worthCompacting(HistoryLimits limits) {
        return holdsMoreThan(limits.activitiesPerName() + Math.max(1, limits.activitiesPerName() / 4));
    }

    private boolean holdsMoreThan(int perName) {
        int run = 0;
        for (int i = 0; i < activityNames.length; i++) {
            run = i > 0 && activityNames[i].equals(activityNames[i - 1]) ? run + 1 : 1;
            if (run > perName) {
                return true;
            }
        }
        return false;
    }

    /**
     * One activity a compaction forgets: its name, its instant, and which of that name's
     * activities at that instant it is (0: the first in this history's order).
     */
    public record ForgottenActivity(String name, long atNanos, int ordinal) {
    }

    /**
     * This history without the activities that {@code model} can never count again from
     * {@code now} on and that are beyond the retention limits (too old, or past the newest
     * {@code activitiesPerName} of their name). Scores under {@code model} do not change.
     */
    public ContactHistory forgetBeyond(ScoringModel model, Instant now, HistoryLimits limits) {
        return forget(forgettable(model, now, limits));
    }

    /**
     * What {@link #forgetBeyond} would forget, as data: a contact decides it under its model and
     * clock, persists it, and its event handler only applies it ({@link #forget}), so that
     * replaying its journal gives the same history whatever the model or the clock then.
     */
    public List<ForgottenActivity> forgettable(ScoringModel model, Instant now, HistoryLimits limits) {
        long oldest = Instants.nanos(now.minus(limits.activityRetention()));
        List<ForgottenActivity> gone = new ArrayList<>();
        int start = 0;
        while (start < activityNames.length) {
            String name = activityNames[start];
            int end = activityEnd(name);
            int firstRecent = Math.max(start, end - limits.activitiesPerName());
            List<ActivityRecord> list = activities(name);
            boolean[] needed = new boolean[list.size()];
            for (Rule rule : rulesOn(model, name)) {
                markNeeded(rule, list, now, needed);
            }
            int ordinal = 0;
            for (int i = start; i < end; i++) {
                ordinal = i > start && activityTimes[i] == activityTimes[i - 1] ? ordinal + 1 : 0;
                boolean keep = (i >= firstRecent && activityTimes[i] >= oldest) || needed[i - start];
                if (!keep) {
                    gone.add(new ForgottenActivity(name, activityTimes[i], ordinal));
                }
            }
            start = end;
        }
        return gone;
    }

    /** This history without {@code gone} (what {@link #forgettable} chose on this same history). */
    public ContactHistory forget(List<ForgottenActivity> gone) {
        if (gone.isEmpty()) {
            return this;
        }
        boolean[] keep = new boolean[activityNames.length];
        Arrays.fill(keep, true);
        int kept = activityNames.length;
        for (ForgottenActivity g : gone) {
            int ordinal = 0;
            for (int i = activityStart(g.name()), end = activityEnd(g.name()); i < end; i++) {
                if (activityTimes[i] == g.atNanos() && ordinal++ == g.ordinal()) {
                    if (keep[i]) {
                        keep[i] = false;
                        kept--;
                    }
                    break;
                }
            }
        }
        String[] names = new String[kept];
        long[] times = new long[kept];
        @SuppressWarnings("unchecked")
        Map<String, Object>[] attributes = new Map[kept];
        int j = 0;
        for (int i = 0; i < keep.length; i++) {
            if (keep[i]) {
                names[j] = activityNames[i];
                times[j] = activityTimes[i];
                attributes[j] = activityAttributes[i];
                j++;
            }
        }
        return new ContactHistory(tagNames, tagTimes, tagApplied, fields, names, times, attributes, firstSeen,
                lastEventAt, recentEventIds);
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
        // Under a decay older matches are worth less, so the newest few may not reach maxPoints.
        long useful = each && rule.maxPoints().isPresent() && rule.decay().isEmpty()
                ? (rule.maxPoints().get() + Math.abs(rule.points()) - 1) / Math.abs(rule.points())
                : Long.MAX_VALUE;
        boolean latestPastKept = false;
        for (int i = list.size() - 1; i >= 0; i--) {
            ActivityRecord a = list.get(i);
            boolean matches = c instanceof Criterion.Activity act ? act.matches(a.attributes())
                    : c instanceof Criterion.Inactivity ina && ina.matches(a.attributes());
            if (!matches) {
                continue;
            }
            boolean live = rule.expiresAfter().map(e -> a.occurredAt().plus(e.length()).isAfter(now)).orElse(true)
                    && (rule.decay().isEmpty() || a.occurredAt().isAfter(now)
                    || rule.pointsAtAge(Instants.between(Instants.nanos(a.occurredAt()), Instants.nanos(now))) != 0);
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

    private static <T> T[] insert(T[] array, int at, T value, IntFunction<T[]> newArray) {
        T[] out = newArray.apply(array.length + 1);
        System.arraycopy(array, 0, out, 0, at);
        out[at] = value;
        System.arraycopy(array, at, out, at + 1, array.length - at);
        return out;
    }

    private static long[] insert(long[] array, int at, long value) {
        long[] out = new long[array.length + 1];
        System.arraycopy(array, 0, out, 0, at);
        out[at] = value;
        System.arraycopy(array, at, out, at + 1, array.length - at);
        return out;
    }

    // The storage view, for a codec that writes a history as it is (a contact's snapshot) and
    // reads it back with restore(); the arrays themselves are never handed out.

    public int tagCount() {
        return tagNames.length;
    }

    public TagChange tag(int i) {
        return new TagChange(tagNames[i], tagTimes[i], tagApplied[i]);
    }

    public int fieldCount() {
        return fields.length;
    }

    public FieldChange field(int i) {
        return fields[i];
    }

    public String activityName(int i) {
        return activityNames[i];
    }

    public long activityTime(int i) {
        return activityTimes[i];
    }

    public Map<String, Object> activityAttributes(int i) {
        return activityAttributes[i];
    }

    public long firstSeenNanos() {
        return firstSeen;
    }

    public long lastEventAtNanos() {
        return lastEventAt;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContactHistory h
                && firstSeen == h.firstSeen && lastEventAt == h.lastEventAt
                && Arrays.equals(tagNames, h.tagNames) && Arrays.equals(tagTimes, h.tagTimes)
                && Arrays.equals(tagApplied, h.tagApplied) && Arrays.equals(fields, h.fields)
                && Arrays.equals(activityNames, h.activityNames) && Arrays.equals(activityTimes, h.activityTimes)
                && Arrays.equals(activityAttributes, h.activityAttributes)
                && Arrays.equals(recentEventIds, h.recentEventIds);
    }

    @Override
    public int hashCode() {
        int h = Arrays.hashCode(tagNames);
        h = 31 * h + Arrays.hashCode(tagTimes);
        h = 31 * h + Arrays.hashCode(fields);
        h = 31 * h + Arrays.hashCode(activityTimes);
        h = 31 * h + Long.hashCode(firstSeen);
        return 31 * h + Long.hashCode(lastEventAt);
    }

    @Override
    public String toString() {
        return "ContactHistory[" + tagNames.length + " tag changes, " + fields.length + " field changes, "
                + activityNames.length + " activities, " + recentEventIds.length + " event ids]";
    }
}
