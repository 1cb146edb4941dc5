package io.leadflame.scoring;

/** Bounds on each category (applied first) and on the total (applied after). */
public record Limits(Bounds fit, Bounds engagement, Bounds total) {

    public static final Limits NONE = new Limits(Bounds.NONE, Bounds.NONE, Bounds.NONE);
}
