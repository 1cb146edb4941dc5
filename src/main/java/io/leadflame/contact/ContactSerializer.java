package io.leadflame.contact;

import io.leadflame.scoring.ContactEvent;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.Instants;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The journal's and the snapshot store's format for contacts: {@link HistoryCodec}'s binary
 * form instead of Jackson CBOR, which spent more time and bytes (field names in every row) on
 * the busiest write path of the service. Events persisted before this serializer existed
 * ({@link ContactEntity.EventRecorded}) stay on Jackson and are still read.
 */
public final class ContactSerializer extends SerializerWithStringManifest {

    /** Never change: it is stored with every journal row and snapshot. */
    static final int IDENTIFIER = 7_301_001;
    /** Events without the time they were recorded (written before it was carried): read only. */
    private static final String EVENTS_V1 = "E1";
    private static final String EVENTS_V2 = "E2";
    private static final String FORGOTTEN_V1 = "F1";
    private static final String STATE_V1 = "S1";

    public ContactSerializer(ExtendedActorSystem system) {
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public String manifest(Object o) {
        if (o instanceof ContactEntity.EventsRecorded) {
            return EVENTS_V2;
        }
        if (o instanceof ContactEntity.ActivitiesForgotten) {
            return FORGOTTEN_V1;
        }
        if (o instanceof ContactHistory) {
            return STATE_V1;
        }
        throw new IllegalArgumentException("not a contact event or state: " + o.getClass().getName());
    }

    @Override
    public byte[] toBinary(Object o) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            if (o instanceof ContactEntity.EventsRecorded recorded) {
                out.writeLong(Instants.nanos(recorded.recordedAt()));
                out.writeInt(recorded.events().size());
                for (ContactEvent e : recorded.events()) {
                    HistoryCodec.writeEvent(e, out);
                }
            } else if (o instanceof ContactEntity.ActivitiesForgotten forgotten) {
                HistoryCodec.writeForgotten(forgotten.activities(), out);
            } else if (o instanceof ContactHistory history) {
                HistoryCodec.writeHistory(history, out);
            } else {
                throw new IllegalArgumentException("not a contact event or state: " + o.getClass().getName());
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static List<ContactEvent> readEvents(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<ContactEvent> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            events.add(HistoryCodec.readEvent(in));
        }
        return events;
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        try {
            switch (manifest) {
                case EVENTS_V2 -> {
                    Instant recordedAt = Instants.ofNanos(in.readLong());
                    return new ContactEntity.EventsRecorded(readEvents(in), recordedAt);
                }
                case EVENTS_V1 -> {
                    return ContactEntity.EventsRecorded.withoutTime(readEvents(in));
                }
                case FORGOTTEN_V1 -> {
                    return new ContactEntity.ActivitiesForgotten(HistoryCodec.readForgotten(in));
                }
                case STATE_V1 -> {
                    return HistoryCodec.readHistory(in);
                }
                default -> throw new NotSerializableException("unknown contact manifest " + manifest);
            }
        } catch (IOException e) {
            NotSerializableException failure = new NotSerializableException("unreadable contact " + manifest);
            failure.initCause(e);
            throw failure;
        }
    }
}
