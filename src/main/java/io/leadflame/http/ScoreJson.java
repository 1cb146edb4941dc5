package io.leadflame.http;

import io.leadflame.auth.Caller;
import io.leadflame.tenants.TenantDeletion;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.contact.ContactEntity;
import io.leadflame.contact.ContactEntity.ContactView;
import io.leadflame.model.PublishedModel;
import io.leadflame.model.RescoringStatus;
import io.leadflame.model.ScoreNames;
import io.leadflame.model.VersionedModel;
import io.leadflame.scoring.Contribution;
import io.leadflame.scoring.Score;
import io.leadflame.scoring.ScoreHistory;
import io.leadflame.api.JsonValues;
import io.leadflame.api.ModelJson;

import java.time.Instant;
import java.util.Optional;

/** The JSON answers of the contact and model routes, in the shapes of API.md. */
final class ScoreJson {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private ScoreJson() {
    }

    /** {@code GET /contacts/{id}}: the score with its reasons, tags and fields. */
    static ObjectNode contact(ContactView view) {
        ObjectNode out = score(view);
        ArrayNode tags = out.putArray("tags");
        view.tags().forEach((tag, appliedAt) -> tags.addObject().put("tag", tag).put("appliedAt", appliedAt.toString()));
        ObjectNode fields = out.putObject("fields");
        view.fields().forEach((name, value) -> fields.set(name, JsonValues.toJson(value)));
        out.put("firstSeen", view.firstSeen().toString());
        out.put("lastEventAt", view.lastEventAt().toString());
        return out;
    }

    /** {@code GET /contacts/{id}/score}: the score fields only. */
    static ObjectNode score(ContactView view) {
        ObjectNode out = F.objectNode();
        out.put("contactId", view.contactId());
        out.put("tenant", view.tenant());
        Score s = view.score();
        out.put("score", s.score());
        out.put("flames", s.flames());
        out.put("percent", s.percent());
        if (s.range().isPresent()) {
            out.putObject("range").put("name", s.range().get().name()).put("color", s.range().get().color());
        } else {
            out.putNull("range");
        }
        out.put("fit", s.fit());
        out.put("engagement", s.engagement());
        out.put("enabled", s.enabled());
        out.put("modelVersion", view.modelVersion());
        putInstant(out, "nextChangeAt", s.nextChangeAt());
        ArrayNode breakdown = out.putArray("breakdown");
        for (Contribution c : s.breakdown()) {
            ObjectNode o = breakdown.addObject();
            o.put("ruleId", c.ruleId());
            o.put("name", c.name());
            o.put("category", c.category().json());
            o.put("points", c.points());
            o.put("matches", c.matches());
            putInstant(o, "expiresAt", c.expiresAt());
        }
        return out;
    }

    /** {@code GET /model}: the model with its version and when it was published. */
    static ObjectNode model(PublishedModel published) {
        ObjectNode out = F.objectNode();
        out.put("version", published.version());
        ObjectNode model = ModelJson.write(published.parse());
        out.setAll(model);
        putInstant(out, "updatedAt", published.updatedAt());
        return out;
    }

    /**
     * A contact's lead score as Keap's REST v2 {@code GET /v2/contacts/{id}/leadScore} answers it:
     * {@code score} is the flame count (0–5) as a string, {@code last_updated} when what the
     * score is computed from last changed: the contact's last event, or the publication of the
     * model version it was scored with, whichever is later (DECISIONS.md "Keap-compatible reads").
     */
    static ObjectNode keapLeadScore(ContactView view, PublishedModel current) {
        Instant updated = view.lastEventAt();
        if (current.version() == view.modelVersion() && current.updatedAt().isPresent()
                && current.updatedAt().get().isAfter(updated)) {
            updated = current.updatedAt().get();
        }
        ObjectNode out = F.objectNode();
        out.put("score", String.valueOf(view.score().flames()));
        out.put("last_updated", updated.toString());
        return out;
    }

    /** {@code GET /contacts/{id}/history}: the score over time and the ledger of its changes. */
    static ObjectNode history(ContactEntity.ContactTimeline t) {
        ObjectNode out = F.objectNode();
        out.put("contactId", t.contactId());
        out.put("modelVersion", t.modelVersion());
        out.put("from", t.timeline().from().toString());
        out.put("to", t.timeline().to().toString());
        out.put("scoreAtStart", t.timeline().scoreAtStart());
        out.put("velocity7Days", t.velocity7Days());
        ArrayNode changes = out.putArray("changes");
        for (ScoreHistory.Change c : t.timeline().changes()) {
            ObjectNode o = changes.addObject().put("at", c.at().toString()).put("score", c.score())
                    .put("change", c.change()).put("reason", c.byEvent() ? "event" : "time");
            ArrayNode rules = o.putArray("rules");
            c.rules().forEach(r -> rules.addObject().put("ruleId", r.ruleId()).put("name", r.name())
                    .put("change", r.change()));
        }
        out.put("truncated", t.timeline().truncated());
        return out;
    }

    /**
     * An answer about a contact under a named score says which ({@code scoreName}); the default
     * score's answers stay as API.md shows them.
     *
     * @param key the key of the model scored under ({@link ScoreNames})
     */
    static ObjectNode named(ObjectNode answer, String key) {
        if (ScoreNames.isNamed(key)) {
            answer.put("scoreName", ScoreNames.scoreOf(key));
        }
        return answer;
    }

    /** One score of {@code GET /scores}: its name and its model's version, ideal score and rules. */
    static ObjectNode scoreSummary(String name, VersionedModel model) {
        ObjectNode out = F.objectNode();
        out.put("name", name);
        out.put("version", model.version());
        out.put("enabled", model.model().enabled());
        out.put("idealScore", model.model().idealScore());
        out.put("rules", model.model().rules().size());
        putInstant(out, "updatedAt", model.published().updatedAt());
        return out;
    }

    /** {@code GET /model/rescoring}. */
    static ObjectNode rescoring(RescoringStatus status) {
        ObjectNode out = F.objectNode();
        out.put("version", status.version());
        out.put("contacts", status.contacts());
        out.put("rescored", status.rescored());
        out.put("done", status.done());
        putInstant(out, "startedAt", status.startedAt());
        putInstant(out, "completedAt", status.completedAt());
        return out;
    }

    private static void putInstant(ObjectNode out, String name, Optional<Instant> at) {
        if (at.isPresent()) {
            out.put(name, at.get().toString());
        } else {
            out.putNull(name);
        }
    }

    /** A tenant's deletion: {@code status} none, deleting or deleted, and the contacts erased so far. */
    static ObjectNode deletion(TenantDeletion.Status status) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("tenant", status.tenant());
        json.put("status", status.startedAt().isEmpty() ? "none" : status.running() ? "deleting" : "deleted");
        json.put("contactsErased", status.contactsErased());
        json.put("startedAt", status.startedAt().map(Instant::toString).orElse(null));
        json.put("completedAt", status.completedAt().map(Instant::toString).orElse(null));
        status.lastError().ifPresent(error -> json.put("lastError", error + " (retried with backoff)"));
        return json;
    }

    /** {@code GET /api/v1/whoami}: what the key in use may do (never the key itself). */
    static ObjectNode caller(Caller caller) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        if (caller instanceof Caller.KeyHolder holder) {
            json.put("caller", "key");
            json.put("tenant", holder.tenant());
            json.put("role", holder.key().role().apiName());
            json.put("keyId", holder.key().id());
            json.put("name", holder.key().name());
        } else {
            // The operator, or anyone on a node without keys: every tenant, every role.
            json.put("caller", caller instanceof Caller.Operator ? "operator" : "anyone");
            json.putNull("tenant");
            json.put("role", "admin");
        }
        return json;
    }
}
