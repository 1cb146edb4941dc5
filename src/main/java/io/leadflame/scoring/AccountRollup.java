package io.leadflame.scoring;

import java.util.Optional;

/**
 * How a tenant's contacts roll up into accounts (issue 16): contacts whose {@code field} holds the
 * same value (a company name, an account id) form one account, scored by {@code mode} over their
 * scores — the sum, the highest, or the average of the {@code top} highest (of as many as the
 * account has, when fewer).
 */
public record AccountRollup(String field, Mode mode, int top) {

    public static final int MAX_TOP = 100;

    public enum Mode {
        SUM("sum"), MAX("max"), TOP_AVERAGE("topAverage");

        private final String json;

        Mode(String json) {
            this.json = json;
        }

        public String json() {
            return json;
        }

        public static Optional<Mode> fromJson(String name) {
            for (Mode mode : values()) {
                if (mode.json.equals(name)) {
                    return Optional.of(mode);
                }
            }
            return Optional.empty();
        }
    }

    public AccountRollup {
        if (top < 1 || top > MAX_TOP) {
            throw new IllegalArgumentException("top must be from 1 to " + MAX_TOP);
        }
    }

    /**
     * The account's score from its contacts' scores: {@code sum} of them all, and the highest
     * first in {@code highest} (at least {@link #top} of them when the account has as many).
     */
    public long score(long sum, long[] highest, int contacts) {
        return switch (mode) {
            case SUM -> sum;
            case MAX -> highest.length == 0 ? 0 : highest[0];
            case TOP_AVERAGE -> {
                int n = Math.min(top, Math.min(contacts, highest.length));
                long total = 0;
                for (int i = 0; i < n; i++) {
                    total += highest[i];
                }
                yield n == 0 ? 0 : Math.floorDiv(total, n);
            }
        };
    }
}
