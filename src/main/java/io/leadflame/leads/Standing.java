package io.leadflame.leads;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * Where one contact stands on its node: its {@link Lead} in the call list, the model version it
 * was scored under, the instant its timer is armed for and the rescoring it last answered.
 * Shared by the contact's actor and its node's rescoring, which rescores placed contacts
 * without a message to each (a message per contact was two thirds of a rescoring of a
 * million): both change the lead only under this object's monitor, each checking what the
 * other did, so that the index holds exactly one lead per contact and never an older
 * history's over a newer one.
 *
 * <p>One per live contact (48 bytes): the contact's actor holds it instead of the fields it
 * replaces, and its leads point at it instead of at the actor.
 */
public final class Standing {

    /** {@link #scoredVersion()} of a contact never scored. */
    public static final long UNSCORED = -1;
    /**
     * {@link #scoredVersion()} of a contact scored against a stand-in for a model its node was
     * still reading (its start): the first rescoring under the real model must be the
     * contact's own, which compares with its history as recovered.
     */
    public static final long PROVISIONAL = -2;
    /** {@link #nextChangeNanos()} when no timer is armed. */
    public static final long NO_TIMER = Long.MAX_VALUE;

    private final ActorRef<?> contact;
    /** Guarded by this: the contact's lead in the index, null while it has none. */
    private Lead lead;
    /** Guarded by this; read without the lock as a hint. */
    private volatile long scoredVersion = UNSCORED;
    /** Guarded by this: the rescoring job the contact was last counted in, and its number there. */
    private int rescoreJob;
    private int rescoreSeq;
    /** Written by the contact only; read by a rescoring deciding whether to wake it sooner. */
    private volatile long nextChangeNanos = NO_TIMER;

    /** @param contact the contact's actor on this node: where a rescoring sends what it must still do */
    public Standing(ActorRef<?> contact) {
        this.contact = contact;
    }

    public ActorRef<?> contact() {
        return contact;
    }

    public synchronized Lead lead() {
        return lead;
    }

    public long scoredVersion() {
        return scoredVersion;
    }

    /** The instant the contact's timer is armed for, epoch nanoseconds, or {@link #NO_TIMER}. */
    public long nextChangeNanos() {
        return nextChangeNanos;
    }

    /** Set by the contact as it arms or cancels its timer. */
    public void armedFor(long nanos) {
        nextChangeNanos = nanos;
    }

    /**
     * How the index is told that a contact's lead moved (under this object's monitor; either
     * lead may be null). One per node, not per contact: {@link LeadIndex#replace} has its shape.
     */
    @FunctionalInterface
    public interface Placement {
        void moved(String tenant, Lead previous, Lead current);
    }

    /** What {@link #place} found and did. */
    public record Placed(Lead before, Lead current, boolean wasProvisional) {
    }

    /**
     * The contact's own scoring: {@code scored} replaces whatever stands (the contact's history
     * is the newest), unless it shows the same as the lead in place, which then stays.
     *
     * @param version the model version scored under, or {@link #PROVISIONAL}
     * @param scored  the new lead, or null to leave the call list (stopping, erased)
     */
    public synchronized Placed place(String tenant, Lead scored, long version, Placement index) {
        Lead before = lead;
        Lead current = scored != null && scored.sameAs(before) ? before : scored;
        index.moved(tenant, before, current);
        lead = current;
        boolean wasProvisional = scoredVersion == PROVISIONAL;
        scoredVersion = version;
        return new Placed(before, current, wasProvisional);
    }

    /** Scored against a stand-in while the node reads the tenant's model: the lead stays as it is. */
    public synchronized void provisional() {
        scoredVersion = PROVISIONAL;
    }

    /**
     * A rescoring job's request numbered {@code seq} reached this contact (by message or
     * directly): false when the same job counted it under another number already (it listed the
     * contact twice), true when it counts now. A repeat of the same number counts again (it is
     * the same request, resent).
     */
    public synchronized boolean countIn(int job, int seq) {
        if (job == 0) {
            // A request outside any job (a test's).
            return true;
        }
        if (job == rescoreJob && seq != rescoreSeq) {
            return false;
        }
        rescoreJob = job;
        rescoreSeq = seq;
        return true;
    }

    /**
     * A rescoring's result for the lead it read: placed only if that lead still stands and the
     * contact is not scored under {@code version} or newer already; otherwise the contact has
     * moved on itself (an event, a newer model), and its own scoring counts.
     *
     * @return whether {@code rescored} now stands
     */
    public synchronized boolean rescored(String tenant, Lead read, Lead rescored, long version, Placement index) {
        if (lead != read || lead == null || scoredVersion >= version || scoredVersion == PROVISIONAL) {
            return false;
        }
        Lead current = rescored.sameAs(read) ? read : rescored;
        index.moved(tenant, read, current);
        lead = current;
        scoredVersion = version;
        return true;
    }
}
