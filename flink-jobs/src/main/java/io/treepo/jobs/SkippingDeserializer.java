package io.treepo.jobs;

import io.treepo.schemas.codec.AvroCodec;
import io.treepo.schemas.codec.RecordDecodeException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads single-object encoded records of one type; a record that does not decode is logged and
 * skipped (the weights topic's readers refuse garbage, they do not stop on it).
 */
final class SkippingDeserializer<T extends SpecificRecord> implements DeserializationSchema<T> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SkippingDeserializer.class);

    private final Class<T> type;
    private transient AvroCodec<T> codec;
    private transient Counter skipped;

    SkippingDeserializer(AvroCodec<T> codec) {
        this.type = codec.type();
    }

    @Override
    public void open(InitializationContext context) {
        skipped = context.getMetricGroup().counter("recordsSkipped");
    }

    /** @return the record, or null (which the source skips) when the bytes are not one */
    @Override
    public T deserialize(byte[] message) {
        if (codec == null) {
            codec = AvroCodec.of(type);
        }
        try {
            return codec.decode(message);
        } catch (RecordDecodeException e) {
            LOG.warn("skipped a record that is not a {}: {}", type.getSimpleName(), e.getMessage());
            if (skipped != null) {
                skipped.inc();
            }
            return null;
        }
    }

    @Override
    public boolean isEndOfStream(T nextElement) {
        return false;
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return TypeInformation.of(type);
    }
}
