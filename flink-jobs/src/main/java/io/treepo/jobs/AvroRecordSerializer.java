package io.treepo.jobs;

import io.treepo.schemas.codec.AvroCodec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;

/** Writes records of one type with Avro single-object encoding, for the job's Kafka sinks. */
final class AvroRecordSerializer<T extends SpecificRecord> implements SerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private transient AvroCodec<T> codec; // not serialisable: made where the sink runs

    AvroRecordSerializer(Class<T> type) {
        this.type = type;
    }

    @Override
    public byte[] serialize(T record) {
        if (codec == null) {
            codec = AvroCodec.of(type);
        }
        return codec.encode(record);
    }
}
