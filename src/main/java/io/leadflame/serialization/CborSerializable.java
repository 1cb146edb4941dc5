package io.leadflame.serialization;

/**
 * Marker for every message, event, state and replicated value that crosses a node boundary or
 * goes into the journal: bound to Pekko's {@code jackson-cbor} serializer in
 * {@code conf/serialization.conf}, so nothing is ever sent with Java serialization.
 */
public interface CborSerializable {
}
