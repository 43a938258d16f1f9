package io.treepo.kafka;

import io.treepo.schemas.codec.AvroCodec;
import io.treepo.schemas.codec.AvroDeserializer;
import io.treepo.schemas.codec.RecordDecodeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What landed on a topic of any broker (embedded, or in its own process), read the way an outside consumer reads it. */
public final class TopicReader {
    private final Properties clientProperties;

    public TopicReader(Properties clientProperties) {
        this.clientProperties = clientProperties;
    }

    /** Records of {@code topic} from its start, read until {@code done} holds or {@code timeout} passes. */
    public <T extends SpecificRecord> List<ConsumerRecord<String, T>> readUntil(
            String topic, AvroCodec<T> codec, Predicate<List<ConsumerRecord<String, T>>> done, Duration timeout) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + topic + "-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // the ledger is transactional
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
        List<ConsumerRecord<String, T>> records = new ArrayList<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new AvroDeserializer<>(codec))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(records) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** Every committed record of {@code topic} now there (up to its end offsets), undecodable ones skipped. */
    public <T extends SpecificRecord> List<T> readAll(String topic, AvroCodec<T> codec) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
        List<T> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        values.add(codec.decode(record.value()));
                    } catch (RecordDecodeException e) {
                        // not one of ours (a test wrote garbage there on purpose)
                    }
                }
            }
        }
        return values;
    }

    /** The values of {@link #readUntil}'s records. */
    public <T extends SpecificRecord> List<T> readValuesUntil(String topic, AvroCodec<T> codec, Predicate<List<T>> done, Duration timeout) {
        return readUntil(topic, codec, records -> done.test(values(records)), timeout).stream().map(ConsumerRecord::value).toList();
    }

    private static <T> List<T> values(List<ConsumerRecord<String, T>> records) {
        return records.stream().map(ConsumerRecord::value).toList();
    }
}
