package io.leadflame.contact;

import io.leadflame.scoring.ContactEvent;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.Values;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The binary form of events (the journal's payload) and of histories (snapshots). Compact and
 * fast because every accepted event passes through it once on its way to the journal: no field
 * names, numbers as fixed-width binary, strings as UTF-8. Each form starts with a version byte
 * so that a later format can still read this one.
 */
public final class HistoryCodec {

    private static final int EVENT_V1 = 1;
    private static final int HISTORY_V1 = 1;

    private static final int NULL = 0;
    private static final int STRING = 1;
    private static final int LONG = 2;
    private static final int DOUBLE = 3;
    private static final int TRUE = 4;
    private static final int FALSE = 5;

    private HistoryCodec() {
    }

    public static void writeEvent(ContactEvent e, DataOutput out) throws IOException {
        out.writeByte(EVENT_V1);
        out.writeByte((e.eventId().isPresent() ? 1 : 0) | (e.tag().isPresent() ? 2 : 0));
        if (e.eventId().isPresent()) {
            writeString(e.eventId().get(), out);
        }
        writeString(e.type(), out);
        out.writeLong(e.occurredAt().getEpochSecond());
        out.writeInt(e.occurredAt().getNano());
        if (e.tag().isPresent()) {
            writeString(e.tag().get(), out);
        }
        writeMap(e.fields(), out);
        writeMap(e.attributes(), out);
    }

    public static ContactEvent readEvent(DataInput in) throws IOException {
        int version = in.readUnsignedByte();
        if (version != EVENT_V1) {
            throw new IOException("unknown event format version " + version);
        }
        int flags = in.readUnsignedByte();
        Optional<String> eventId = (flags & 1) != 0 ? Optional.of(readString(in)) : Optional.empty();
        String type = readString(in);
        Instant at = Instant.ofEpochSecond(in.readLong(), in.readInt());
        Optional<String> tag = (flags & 2) != 0 ? Optional.of(readString(in)) : Optional.empty();
        Map<String, Object> fields = readMap(in);
        Map<String, Object> attributes = readMap(in);
        return new ContactEvent(eventId, type, at, tag, fields, attributes);
    }

    public static void writeHistory(ContactHistory h, DataOutput out) throws IOException {
        out.writeByte(HISTORY_V1);
        out.writeLong(h.firstSeenNanos());
        out.writeLong(h.lastEventAtNanos());
        out.writeInt(h.tagCount());
        for (int i = 0; i < h.tagCount(); i++) {
            ContactHistory.TagChange c = h.tag(i);
            writeString(c.tag(), out);
            out.writeLong(c.atNanos());
            out.writeBoolean(c.applied());
        }
        out.writeInt(h.fieldCount());
        for (int i = 0; i < h.fieldCount(); i++) {
            ContactHistory.FieldChange c = h.field(i);
            writeString(c.field(), out);
            out.writeLong(c.atNanos());
            out.writeBoolean(c.eventIdOrNull() != null);
            if (c.eventIdOrNull() != null) {
                writeString(c.eventIdOrNull(), out);
            }
            writeValue(c.value(), out);
        }
        out.writeInt(h.activityCount());
        for (int i = 0; i < h.activityCount(); i++) {
            writeString(h.activityName(i), out);
            out.writeLong(h.activityTime(i));
            writeMap(h.activityAttributes(i), out);
        }
        long[] ids = h.recentEventIds().hashes();
        out.writeInt(ids.length);
        for (long id : ids) {
            out.writeLong(id);
        }
    }

    public static ContactHistory readHistory(DataInput in) throws IOException {
        int version = in.readUnsignedByte();
        if (version != HISTORY_V1) {
            throw new IOException("unknown history format version " + version);
        }
        long firstSeen = in.readLong();
        long lastEventAt = in.readLong();
        ContactHistory.TagChange[] tags = new ContactHistory.TagChange[in.readInt()];
        for (int i = 0; i < tags.length; i++) {
            tags[i] = new ContactHistory.TagChange(readString(in), in.readLong(), in.readBoolean());
        }
        ContactHistory.FieldChange[] fields = new ContactHistory.FieldChange[in.readInt()];
        for (int i = 0; i < fields.length; i++) {
            String name = readString(in);
            long at = in.readLong();
            String eventId = in.readBoolean() ? readString(in) : null;
            fields[i] = new ContactHistory.FieldChange(name, at, eventId, readValue(in));
        }
        int activities = in.readInt();
        String[] names = new String[activities];
        long[] times = new long[activities];
        @SuppressWarnings("unchecked")
        Map<String, Object>[] attributes = new Map[activities];
        for (int i = 0; i < activities; i++) {
            names[i] = readString(in);
            times[i] = in.readLong();
            attributes[i] = readMap(in);
        }
        long[] ids = new long[in.readInt()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = in.readLong();
        }
        return ContactHistory.restore(tags, fields, names, times, attributes, firstSeen, lastEventAt, ids);
    }

    /** The activities a compaction forgets (a journal row of their own), in the codec's string form. */
    public static void writeForgotten(List<ContactHistory.ForgottenActivity> forgotten, DataOutput out)
            throws IOException {
        out.writeInt(forgotten.size());
        for (ContactHistory.ForgottenActivity a : forgotten) {
            writeString(a.name(), out);
            out.writeLong(a.atNanos());
            out.writeInt(a.ordinal());
        }
    }

    public static List<ContactHistory.ForgottenActivity> readForgotten(DataInput in) throws IOException {
        int n = in.readInt();
        List<ContactHistory.ForgottenActivity> forgotten = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            forgotten.add(new ContactHistory.ForgottenActivity(readString(in), in.readLong(), in.readInt()));
        }
        return forgotten;
    }

    private static void writeMap(Map<String, Object> map, DataOutput out) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, Object> e : map.entrySet()) {
            writeString(e.getKey(), out);
            writeValue(e.getValue(), out);
        }
    }

    private static Map<String, Object> readMap(DataInput in) throws IOException {
        int n = in.readInt();
        if (n == 0) {
            return Map.of();
        }
        Map<String, Object> map = new LinkedHashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            map.put(readString(in), readValue(in));
        }
        return map;
    }

    private static void writeValue(Object v, DataOutput out) throws IOException {
        Object value = Values.normalize(v);
        if (value == null) {
            out.writeByte(NULL);
        } else if (value instanceof String s) {
            out.writeByte(STRING);
            writeString(s, out);
        } else if (value instanceof Long l) {
            out.writeByte(LONG);
            out.writeLong(l);
        } else if (value instanceof Double d) {
            out.writeByte(DOUBLE);
            out.writeDouble(d);
        } else if (value instanceof Boolean b) {
            out.writeByte(b ? TRUE : FALSE);
        } else {
            throw new IOException("not a scalar value: " + value.getClass().getName());
        }
    }

    private static Object readValue(DataInput in) throws IOException {
        int kind = in.readUnsignedByte();
        return switch (kind) {
            case NULL -> null;
            case STRING -> readString(in);
            case LONG -> in.readLong();
            case DOUBLE -> in.readDouble();
            case TRUE -> Boolean.TRUE;
            case FALSE -> Boolean.FALSE;
            default -> throw new IOException("unknown value kind " + kind);
        };
    }

    private static void writeString(String s, DataOutput out) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInput in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
