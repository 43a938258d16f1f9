package io.treepo.jobs;

import io.treepo.schemas.DeadLetter;
import io.treepo.schemas.Prompt;
import io.treepo.schemas.codec.Codecs;
import io.treepo.schemas.codec.RecordDecodeException;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads the prompts topic without ever failing: a record that decodes and validates becomes a
 * {@code Right(prompt)}; anything else becomes a {@code Left(deadLetter)} carrying the original
 * bytes, topic, partition, offset and the reason, for the dead-letter topic.
 */
public final class PromptDeserializer implements KafkaRecordDeserializationSchema<Either<DeadLetter, Prompt>> {
    private static final long serialVersionUID = 1L;

    private final PromptValidator validator;

    public PromptDeserializer(PromptValidator validator) {
        this.validator = validator;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Either<DeadLetter, Prompt>> out) {
        byte[] bytes = record.value();
        Prompt prompt;
        try {
            prompt = Codecs.PROMPT.decode(bytes);
        } catch (RecordDecodeException e) {
            out.collect(Either.Left(deadLetter(record, e.getMessage(), e.kind().name())));
            return;
        }
        Optional<String> problem = validator.problem(prompt);
        if (problem.isPresent()) {
            out.collect(Either.Left(deadLetter(record, "prompt " + prompt.getId() + ": " + problem.get(), "INVALID_PROMPT")));
        } else {
            out.collect(Either.Right(prompt));
        }
    }

    /** The dead letter for a record that could not be used. Keeps at most 64 KiB of the original bytes. */
    static DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record, String reason, String errorType) {
        byte[] bytes = record.value();
        ByteBuffer original = bytes == null ? null : ByteBuffer.wrap(bytes, 0, Math.min(bytes.length, 64 * 1024)).slice();
        return DeadLetter.newBuilder()
                .setSourceTopic(record.topic())
                .setPartition(record.partition())
                .setOffset(record.offset())
                .setOriginal(original)
                .setReason(reason)
                .setErrorType(errorType)
                .setTimestampMs(System.currentTimeMillis())
                .build();
    }

    @Override
    public TypeInformation<Either<DeadLetter, Prompt>> getProducedType() {
        return new EitherTypeInfo<>(new AvroTypeInfo<>(DeadLetter.class), new AvroTypeInfo<>(Prompt.class));
    }
}
