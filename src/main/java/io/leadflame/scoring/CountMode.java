package io.leadflame.scoring;

/** How often a satisfied rule gives its points. */
public enum CountMode {
    /** Points once while the rule is satisfied, however many activities or tags satisfy it. */
    ONCE("once"),
    /** Points for each live matching activity (activity rules only), optionally bounded by maxPoints. */
    EACH("each");

    private final String json;

    CountMode(String json) {
        this.json = json;
    }

    /** The name used in the API. */
    public String json() {
        return json;
    }
}
