package io.treepo.schemas.codec;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer for single-object encoded Avro records. Kafka's contract is an unchecked
 * {@link SerializationException}; its cause is the {@link RecordDecodeException} with the kind of
 * fault. Streaming readers that must not stop on bad records use {@link AvroCodec#decode} directly.
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    private final AvroCodec<T> codec;

    public AvroDeserializer(AvroCodec<T> codec) {
        this.codec = codec;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return codec.decode(data);
        } catch (RecordDecodeException e) {
            throw new SerializationException("topic " + topic + ": " + e.getMessage(), e);
        }
    }
}
