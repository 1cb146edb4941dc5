package io.leadflame.leads;

import io.leadflame.scoring.AccountRollup;
import io.leadflame.scoring.Values;
import io.leadflame.serialization.CborSerializable;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tenant's contacts rolled up into accounts (issue 16), from the live leads of the call list:
 * each node adds up its own contacts by account ({@link #tally}), the parts are merged
 * ({@link #merge}) and each account scored by the model's {@link AccountRollup}. Read from the
 * leads as they are, so the account list is as live as the call list.
 */
public final class Accounts {

    /** How many of an account's hottest contacts an answer names. */
    public static final int HOTTEST = 3;

    /**
     * The most a node's answer to another node may hold, estimated: Pekko's frames are 256 KiB.
     * Beyond it the node sends its hottest accounts (by their sum on the node) and the answer is
     * partial. An answer on the node itself crosses no network and holds every account.
     */
    public static final int MAX_REMOTE_BYTES = 200_000;

    /** Highest score first, then contact id. */
    private static final Comparator<Member> HOTTEST_FIRST =
            Comparator.comparingLong((Member m) -> -m.score()).thenComparing(Member::contactId);

    public record Member(String contactId, long score) implements CborSerializable {
    }

    /**
     * An account's contacts on one node, or on all once merged.
     *
     * @param highest the highest scores first, as many as the roll-up and the answer need
     */
    public record Part(String account, long sum, int contacts, List<Member> highest) implements CborSerializable {
    }

    /** One node's parts of the tenant's accounts. */
    public record Parts(List<Part> parts, boolean truncated) implements CborSerializable {
    }

    /** An account as the API shows it. */
    public record Account(String account, long score, int contacts, List<Member> hottest) {
    }

    /** Accounts first by score, then by name. */
    public static final Comparator<Account> ORDER =
            Comparator.comparingLong((Account a) -> -a.score()).thenComparing(Account::account);

    private Accounts() {
    }

    /** A place in the account list: just after the account with this score and name. */
    public record After(long score, String account) {
        /** The {@code next} of a page as clients get it: opaque. */
        public String encode() {
            return PageCursors.encode(score, account);
        }

        /** The place {@link #encode()} gave, or empty for anything else. */
        public static Optional<After> decode(String encoded) {
            return PageCursors.decode(encoded, 2).filter(parts -> !parts[1].isEmpty())
                    .flatMap(parts -> PageCursors.number(parts[0]).map(score -> new After(score, parts[1])));
        }

        boolean isBefore(Account account) {
            return ORDER.compare(new Account(this.account, score, 0, List.of()), account) < 0;
        }
    }

    /** The page of {@code limit} accounts after {@code after} (null: the first), and whether more follow. */
    public static List<Account> page(List<Account> ordered, After after, int limit) {
        List<Account> page = new ArrayList<>(limit + 1);
        for (Account account : ordered) {
            if (after == null || after.isBefore(account)) {
                page.add(account);
                if (page.size() > limit) {
                    break;
                }
            }
        }
        return page;
    }

    /**
     * What {@code lead}'s contact belongs to: the text of its {@code field} now (a number or a
     * boolean as written), or null without one (such contacts are in no account).
     */
    static String accountOf(Lead lead, String field, Instant now) {
        Object value = lead.history() == null ? null : lead.history().fieldAt(field, now);
        if (value == null) {
            return null;
        }
        String text = value instanceof String s ? s.trim() : String.valueOf(Values.normalize(value));
        return text.isEmpty() ? null : text;
    }

    /**
     * This node's leads of a tenant added up by account, keeping the {@code keep} highest of each,
     * within {@code maxBytes} (estimated) of parts.
     */
    static Parts tally(Iterable<Lead> leads, String field, int keep, Instant now, long maxBytes) {
        Map<String, Builder> byAccount = new HashMap<>();
        for (Lead lead : leads) {
            String account = accountOf(lead, field, now);
            if (account != null) {
                byAccount.computeIfAbsent(account, a -> new Builder()).add(lead.contactId(), lead.score(), keep);
            }
        }
        List<Part> parts = new ArrayList<>(byAccount.size());
        byAccount.forEach((account, b) -> parts.add(b.part(account, keep)));
        long bytes = 0;
        for (Part part : parts) {
            bytes += estimatedBytes(part);
        }
        if (bytes <= maxBytes) {
            return new Parts(parts, false);
        }
        parts.sort(Comparator.comparingLong((Part p) -> -p.sum()).thenComparing(Part::account));
        List<Part> kept = new ArrayList<>();
        bytes = 0;
        for (Part part : parts) {
            bytes += estimatedBytes(part);
            if (bytes > maxBytes) {
                break;
            }
            kept.add(part);
        }
        return new Parts(kept, true);
    }

    /** Roughly what a part takes in CBOR: its name and numbers, and its contacts' ids and scores. */
    private static long estimatedBytes(Part part) {
        long bytes = 48 + part.account().length();
        for (Member m : part.highest()) {
            bytes += 24 + m.contactId().length();
        }
        return bytes;
    }

    /** Every node's parts as one, the accounts scored by {@code rollup}, in {@link #ORDER}. */
    public static List<Account> merge(List<Parts> nodes, AccountRollup rollup) {
        int keep = Math.max(rollup.top(), HOTTEST);
        Map<String, Builder> byAccount = new HashMap<>();
        for (Parts node : nodes) {
            for (Part part : node.parts()) {
                Builder b = byAccount.computeIfAbsent(part.account(), a -> new Builder());
                b.sum += part.sum();
                b.contacts += part.contacts();
                part.highest().forEach(m -> b.keep(m, keep));
            }
        }
        List<Account> accounts = new ArrayList<>(byAccount.size());
        byAccount.forEach((account, b) -> {
            List<Member> highest = b.sorted();
            long[] scores = highest.stream().mapToLong(Member::score).toArray();
            accounts.add(new Account(account, rollup.score(b.sum, scores, b.contacts), b.contacts,
                    List.copyOf(highest.subList(0, Math.min(HOTTEST, highest.size())))));
        });
        accounts.sort(ORDER);
        return accounts;
    }

    /** An account's contacts being added up. */
    private static final class Builder {
        long sum;
        int contacts;
        final List<Member> highest = new ArrayList<>();

        void add(String contactId, long score, int keep) {
            sum += score;
            contacts++;
            keep(new Member(contactId, score), keep);
        }

        void keep(Member member, int keep) {
            highest.add(member);
            if (highest.size() > 2 * keep) {
                highest.sort(HOTTEST_FIRST);
                highest.subList(keep, highest.size()).clear();
            }
        }

        List<Member> sorted() {
            highest.sort(HOTTEST_FIRST);
            return highest;
        }

        Part part(String account, int keep) {
            List<Member> sorted = sorted();
            return new Part(account, sum, contacts, List.copyOf(sorted.subList(0, Math.min(keep, sorted.size()))));
        }
    }
}
