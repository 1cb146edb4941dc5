package io.leadflame.scoring;

/** What a rule measures: how well a contact fits the ideal customer, or how engaged it is. */
public enum Category {
    FIT("fit"),
    ENGAGEMENT("engagement");

    private final String json;

    Category(String json) {
        this.json = json;
    }

    /** The name used in the API. */
    public String json() {
        return json;
    }
}
