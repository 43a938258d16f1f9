package io.treepo.kafka;

import io.treepo.schemas.codec.AvroDeserializer;
import io.treepo.schemas.codec.AvroCodec;
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
import io.treepo.schemas.codec.RecordDecodeException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An embedded broker with the job's topics for the tests of one class, and a reader of what landed
 * on a topic: {@code @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();}
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback {
    private final boolean proxied;
    private EmbeddedKafka kafka;
    private FlakyProxy proxy;

    public EmbeddedKafkaExtension() {
        this(false);
    }

    private EmbeddedKafkaExtension(boolean proxied) {
        this.proxied = proxied;
    }

    /** Clients reach the broker through a {@link FlakyProxy}, so a test can make the broker vanish. */
    public static EmbeddedKafkaExtension behindProxy() {
        return new EmbeddedKafkaExtension(true);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (proxied) {
            int brokerPort = FlakyProxy.freePort();
            proxy = new FlakyProxy(brokerPort);
            kafka = EmbeddedKafka.start(brokerPort, proxy.port());
        } else {
            kafka = EmbeddedKafka.start(0);
        }
        kafka.createTopics(Topics.defaults(), 2);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        kafka.close();
        if (proxy != null) {
            proxy.close();
        }
    }

    /** The proxy in front of the broker; only with {@link #behindProxy()}. */
    public FlakyProxy proxy() {
        if (proxy == null) throw new IllegalStateException("this broker has no proxy: use EmbeddedKafkaExtension.behindProxy()");
        return proxy;
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    /** Records of {@code topic} from its start, read until {@code done} holds or {@code timeout} passes. */
    public <T extends SpecificRecord> List<ConsumerRecord<String, T>> readUntil(
            String topic, AvroCodec<T> codec, Predicate<List<ConsumerRecord<String, T>>> done, Duration timeout) {
        Properties props = kafka.clientProperties();
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
        Properties props = kafka.clientProperties();
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
