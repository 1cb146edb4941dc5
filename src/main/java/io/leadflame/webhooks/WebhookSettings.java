package io.leadflame.webhooks;

import com.typesafe.config.Config;

import java.time.Duration;

/**
 * How deliveries are attempted ({@code leadflame.webhooks} in {@code conf/application.conf}).
 *
 * @param minBackoff     the wait after a webhook's first failed attempt; it doubles with each further failure
 * @param maxBackoff     the longest wait between attempts
 * @param giveUpAfter    a delivery still failing this long after it was recorded is marked failed and no longer tried
 * @param requestTimeout an attempt not answered within this failed
 * @param maxInFlight    attempts under way at once per webhook while its receiver answers
 */
public record WebhookSettings(Duration minBackoff, Duration maxBackoff, Duration giveUpAfter,
                              Duration requestTimeout, int maxInFlight) {

    public static WebhookSettings from(Config root) {
        Config c = root.getConfig("leadflame.webhooks");
        return new WebhookSettings(c.getDuration("min-backoff"), c.getDuration("max-backoff"),
                c.getDuration("give-up-after"), c.getDuration("request-timeout"), c.getInt("max-in-flight"));
    }

    /** The wait after the {@code failures}-th failure in a row (1 or more). */
    public Duration backoff(int failures) {
        Duration wait = minBackoff;
        for (int i = 1; i < failures && wait.compareTo(maxBackoff) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
    }
}
