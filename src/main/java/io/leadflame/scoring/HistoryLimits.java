package io.leadflame.scoring;

import java.time.Duration;

/**
 * How much of its history a contact keeps in memory beyond what the current model needs:
 * how many recent event ids it remembers to drop duplicates, and how old or how many
 * activities of one name it keeps for a future model to see.
 */
public record HistoryLimits(int dedupeWindow, Duration activityRetention, int activitiesPerName) {

    public static final HistoryLimits DEFAULT = new HistoryLimits(1000, Duration.ofDays(400), 200);

    public HistoryLimits {
        if (dedupeWindow < 1 || activitiesPerName < 1 || activityRetention.isNegative()) {
            throw new IllegalArgumentException("history limits must be positive");
        }
    }
}
