package io.leadflame.scoring;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * The candidate instants of a score (see {@link Scorer}): each instant after {@code t} at which
 * something a rule looks at takes effect or runs out, with the index of that rule, in order of
 * instant. Kept as an {@code Instant}'s two parts in arrays, exactly (a sum of a recorded
 * instant and a duration of centuries is past the range of epoch nanoseconds in a
 * {@code long}): a rescoring of a million contacts made an {@code Instant}, a tree entry and two
 * lists for each candidate, about a third of what scoring allocated, and an {@code Instant} is
 * now made only for the candidates at which rules are evaluated again.
 *
 * <p>Candidates are added rule after rule, so that after {@link #sort} the candidates of one
 * instant are in the order of their rules (the sort keeps the order of equal instants).
 */
final class Candidates {

    private static final int NANOS_PER_SECOND = 1_000_000_000;

    private long[] seconds = new long[16];
    private int[] nanos = new int[16];
    private int[] rules = new int[16];
    private int size;
    /** Positions in instant order, set by {@link #sort}. */
    private int[] order;

    /** A recorded instant of {@code rule}, when it is after {@code t} ({@code tn} in epoch nanoseconds). */
    void addAfter(long at, long tn, int rule) {
        if (at > tn) {
            add(Instants.epochSecond(at), Instants.nano(at), rule);
        }
    }

    /** A recorded instant plus a duration, when that is after {@code t}. */
    void addAfter(long at, Duration length, Instant t, long tn, int rule) {
        if (Scorer.endsAfter(at, length, t, tn)) {
            long second = Instants.epochSecond(at) + length.getSeconds();
            int nano = Instants.nano(at) + length.getNano();
            if (nano >= NANOS_PER_SECOND) {
                second++;
                nano -= NANOS_PER_SECOND;
            }
            add(second, nano, rule);
        }
    }

    private void add(long second, int nano, int rule) {
        if (size == seconds.length) {
            int capacity = size * 2;
            seconds = Arrays.copyOf(seconds, capacity);
            nanos = Arrays.copyOf(nanos, capacity);
            rules = Arrays.copyOf(rules, capacity);
        }
        seconds[size] = second;
        nanos[size] = nano;
        rules[size] = rule;
        size++;
    }

    /** Orders the candidates by instant, equal instants in the order they were added. */
    void sort() {
        order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        if (size > 1) {
            mergeSort(order, new int[size], 0, size);
        }
    }

    int size() {
        return size;
    }

    /** The rule of the {@code k}-th candidate in instant order. */
    int rule(int k) {
        return rules[order[k]];
    }

    /** Whether the {@code k}-th and {@code j}-th candidates in instant order are at the same instant. */
    boolean sameInstant(int k, int j) {
        return compare(order[k], order[j]) == 0;
    }

    /** The {@code k}-th instant in instant order. */
    Instant instant(int k) {
        int i = order[k];
        return Instant.ofEpochSecond(seconds[i], nanos[i]);
    }

    private int compare(int a, int b) {
        int bySecond = Long.compare(seconds[a], seconds[b]);
        return bySecond != 0 ? bySecond : Integer.compare(nanos[a], nanos[b]);
    }

    /** Stable: a rule's candidates keep their place among equal instants. */
    private void mergeSort(int[] a, int[] scratch, int from, int to) {
        if (to - from <= 16) {
            for (int i = from + 1; i < to; i++) {
                int x = a[i];
                int j = i - 1;
                while (j >= from && compare(a[j], x) > 0) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = x;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, scratch, from, mid);
        mergeSort(a, scratch, mid, to);
        if (compare(a[mid - 1], a[mid]) <= 0) {
            return;
        }
        System.arraycopy(a, from, scratch, from, to - from);
        int i = from;
        int j = mid;
        for (int k = from; k < to; k++) {
            if (j >= to || (i < mid && compare(scratch[i], scratch[j]) <= 0)) {
                a[k] = scratch[i++];
            } else {
                a[k] = scratch[j++];
            }
        }
    }
}
