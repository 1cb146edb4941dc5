package io.leadflame.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.leads.Lead;
import io.leadflame.leads.LeadsReader;
import io.leadflame.leads.Preview;
import io.leadflame.api.ScoreChangeJson;
import io.leadflame.changes.ScoreChange;
import io.leadflame.contact.ContactRecovery;
import io.leadflame.scoring.Instants;
import io.leadflame.scoring.ScoringModel;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON answers of the call-list routes ({@link LeadsRoutes}), in the shapes DECISIONS.md
 * gives. Jackson's {@code put} of a null {@code String} or {@code Long} writes JSON null.
 */
final class LeadsJson {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private LeadsJson() {
    }

    /**
     * Whether the answer may miss contacts because stored ones are still coming back after the
     * node's start ({@code "partial"}), and then how many are back ({@code "recovery"}).
     */
    static void putPartial(ObjectNode out, ContactRecovery.Progress recovery) {
        out.put("partial", !recovery.complete());
        if (!recovery.complete()) {
            putRecovery(out, recovery);
        }
    }

    /** {@code "recovery": {"contactsLive": n, "contactsStored": m}}; stored null while still being counted. */
    static void putRecovery(ObjectNode out, ContactRecovery.Progress recovery) {
        out.putObject("recovery").put("contactsLive", recovery.live())
                .put("contactsStored", recovery.stored().orElse(null));
    }

    static ObjectNode lead(Lead lead, ScoringModel model) {
        ObjectNode o = F.objectNode();
        o.put("contactId", lead.contactId());
        o.put("score", lead.score());
        o.put("flames", lead.flames());
        o.put("percent", lead.percent());
        if (lead.range() != null) {
            ObjectNode range = o.putObject("range").put("name", lead.range());
            model.ranges().stream().filter(r -> r.name().equals(lead.range())).findFirst()
                    .ifPresentOrElse(r -> range.put("color", r.color()), () -> range.putNull("color"));
        } else {
            o.putNull("range");
        }
        o.put("lastEventAt", Instants.ofNanos(lead.lastEventAtNanos()).toString());
        ArrayNode reasons = o.putArray("reasons");
        lead.reasons().forEach(r -> reasons.addObject().put("ruleId", r.ruleId()).put("name", r.name())
                .put("points", r.points()));
        return o;
    }

    /** The shape of {@code /stats}; {@code version} null for a candidate model (a preview). */
    static ObjectNode stats(LeadsReader.Counts total, long[] bounds, ScoringModel model, Long version) {
        ObjectNode out = F.objectNode();
        out.put("contacts", total.contacts());
        ObjectNode flames = out.putObject("byFlames");
        for (int i = 0; i <= 5; i++) {
            flames.put(String.valueOf(i), total.byFlames()[i]);
        }
        // The model's ranges in its order, each present; a name no longer in the model (contacts
        // not yet rescored after a change) after them.
        Map<String, Long> ranges = new LinkedHashMap<>();
        model.ranges().forEach(r -> ranges.put(r.name(), 0L));
        total.byRange().forEach((name, n) -> ranges.merge(name, n, Long::sum));
        ObjectNode byRange = out.putObject("byRange");
        ranges.forEach(byRange::put);
        ArrayNode histogram = out.putArray("histogram");
        for (int i = 0; i <= bounds.length; i++) {
            ObjectNode bucket = histogram.addObject();
            if (i == 0) {
                bucket.putNull("min");
            } else {
                bucket.put("min", bounds[i - 1]);
            }
            if (i == bounds.length) {
                bucket.putNull("max");
            } else {
                bucket.put("max", bounds[i] - 1);
            }
            bucket.put("count", total.histogram()[i]);
        }
        out.put("modelVersion", version);
        return out;
    }

    static ObjectNode mover(Preview.Mover m) {
        ObjectNode o = F.objectNode();
        o.put("contactId", m.contactId());
        o.put("score", m.score());
        o.put("previewScore", m.previewScore());
        o.put("change", m.change());
        o.put("flames", m.flames());
        o.put("previewFlames", m.previewFlames());
        o.put("range", m.range());
        o.put("previewRange", m.previewRange());
        return o;
    }

    static ObjectNode change(ScoreChange change) {
        return ScoreChangeJson.write(change, F.objectNode());
    }

    /** The {@code reload} event of a resumed stream whose missed changes are no longer kept. */
    static ObjectNode reload(String why) {
        return F.objectNode().put("reason", why);
    }

    /** An account's score moved (an event of {@code /accounts/changes}). */
    static ObjectNode accountChange(String account, long score, long previous, int contacts) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("account", account);
        out.put("score", score);
        out.put("previous", previous);
        out.put("contacts", contacts);
        return out;
    }
}
