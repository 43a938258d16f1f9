package io.treepo.cli;

import io.treepo.policy.EncodedWeights;
import io.treepo.policy.ModelConfig;
import io.treepo.schemas.PolicyWeights;
import io.treepo.schemas.codec.Codecs;
import io.treepo.schemas.weights.WeightsAssembler;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** The newest complete policy version on the weights topic, read the way a rollout reads it. */
final class FinalModel {
    private FinalModel() {}

    /** @return the newest verified version, or null when the topic holds none */
    static EncodedWeights read(Properties kafkaProps, String topic) {
        Properties props = new Properties();
        props.putAll(kafkaProps);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
        WeightsAssembler assembler = new WeightsAssembler(-1);
        WeightsAssembler.Assembled newest = null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        PolicyWeights chunk = Codecs.POLICY_WEIGHTS.decode(record.value());
                        WeightsAssembler.Result result = assembler.accept(chunk);
                        if (result.outcome() == WeightsAssembler.Outcome.COMPLETE) {
                            newest = result.weights();
                        }
                    } catch (Exception e) {
                        // not a weights chunk: skipped, as the job's reader does
                    }
                }
            }
        }
        return newest == null ? null : weights(newest);
    }

    /** A reassembled version as model weights. */
    static EncodedWeights weights(WeightsAssembler.Assembled version) {
        return new EncodedWeights(ModelConfig.fromJson(version.modelConfig()), version.payload(), version.sha256());
    }
}
