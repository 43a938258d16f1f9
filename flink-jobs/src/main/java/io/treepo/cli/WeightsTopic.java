package io.treepo.cli;

import io.treepo.policy.EncodedWeights;
import io.treepo.policy.ModelConfig;
import io.treepo.schemas.codec.Codecs;
import io.treepo.schemas.weights.WeightsAssembler;
import io.treepo.schemas.weights.WeightsStore;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The weights topic read from its beginning, the way a rollout reads it: chunks reassembled and
 * verified, records that are not chunks skipped. Not thread-safe; one reader per thread.
 */
final class WeightsTopic implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final WeightsAssembler assembler = new WeightsAssembler(-1);

    WeightsTopic(Properties kafkaProps, String topic) {
        Properties props = new Properties();
        props.putAll(kafkaProps);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** The newest version completed by the records of one poll, or null when none completed. */
    WeightsAssembler.Assembled poll(Duration timeout) {
        WeightsAssembler.Assembled newest = null;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            try {
                WeightsAssembler.Result result = assembler.accept(Codecs.POLICY_WEIGHTS.decode(record.value()));
                if (result.outcome() == WeightsAssembler.Outcome.COMPLETE) {
                    newest = result.weights();
                }
            } catch (Exception e) {
                // not a weights chunk: skipped, as the job's reader does
            }
        }
        return newest;
    }

    /** @return the newest verified version on the topic now, or null when it holds none */
    static EncodedWeights newest(Properties kafkaProps, String topic) {
        try (WeightsTopic reader = new WeightsTopic(kafkaProps, topic)) {
            var end = reader.consumer.endOffsets(reader.partitions);
            WeightsAssembler.Assembled newest = null;
            while (reader.partitions.stream().anyMatch(p -> reader.consumer.position(p) < end.get(p))) {
                WeightsAssembler.Assembled polled = reader.poll(Duration.ofMillis(500));
                newest = polled != null ? polled : newest;
            }
            return newest == null ? null : weights(newest);
        }
    }

    /** A reassembled version as model weights. */
    static EncodedWeights weights(WeightsAssembler.Assembled version) {
        return new EncodedWeights(ModelConfig.fromJson(version.modelConfig()), WeightsStore.payload(version), version.sha256());
    }

    @Override
    public void close() {
        consumer.close();
    }
}
