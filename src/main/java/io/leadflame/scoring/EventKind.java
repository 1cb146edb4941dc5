package io.leadflame.scoring;

/** The three reserved event types, and everything else: an activity. */
public enum EventKind {
    TAG_APPLIED, TAG_REMOVED, FIELDS_UPDATED, ACTIVITY;

    public static EventKind of(String type) {
        return switch (type) {
            case "tag_applied" -> TAG_APPLIED;
            case "tag_removed" -> TAG_REMOVED;
            case "fields_updated" -> FIELDS_UPDATED;
            default -> ACTIVITY;
        };
    }
}
