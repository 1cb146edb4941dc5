package io.leadflame.testing;

import io.leadflame.contact.ContactEntity;
import io.leadflame.contact.ContactSerializer;

import java.io.NotSerializableException;

/**
 * What a contact's journal row holds, read back with the service's own serializer: a row of
 * {@link ContactSerializer} holds the new events of one request for one contact
 * ({@code EventsRecorded}) or a compaction (none); a row of the format before it
 * ({@code EventRecorded}, Jackson) holds one.
 */
public final class JournalRows {

    private static final ContactSerializer SERIALIZER = new ContactSerializer(null);

    private JournalRows() {
    }

    /** The contact events in a row, from its {@code event_ser_id}, {@code event_ser_manifest} and payload. */
    public static int contactEvents(int serializerId, String manifest, byte[] payload) {
        if (serializerId != SERIALIZER.identifier()) {
            return 1;
        }
        try {
            // A compaction's row (ActivitiesForgotten) holds no event.
            return SERIALIZER.fromBinary(payload, manifest) instanceof ContactEntity.EventsRecorded recorded
                    ? recorded.events().size() : 0;
        } catch (NotSerializableException e) {
            throw new IllegalStateException("an unreadable contact row (manifest " + manifest + ")", e);
        }
    }
}
