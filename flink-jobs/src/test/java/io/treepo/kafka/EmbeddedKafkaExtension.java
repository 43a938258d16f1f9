package io.treepo.kafka;

import io.treepo.schemas.codec.AvroDeserializer;
import io.treepo.schemas.codec.AvroCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An embedded broker with the job's topics for the tests of one class, and a reader of what landed
 * on a topic: {@code @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();}
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback {
    private EmbeddedKafka kafka;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        kafka = EmbeddedKafka.start(0);
        kafka.createTopics(Topics.defaults(), 2);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        kafka.close();
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

    /** The values of {@link #readUntil}'s records. */
    public <T extends SpecificRecord> List<T> readValuesUntil(String topic, AvroCodec<T> codec, Predicate<List<T>> done, Duration timeout) {
        return readUntil(topic, codec, records -> done.test(values(records)), timeout).stream().map(ConsumerRecord::value).toList();
    }

    private static <T> List<T> values(List<ConsumerRecord<String, T>> records) {
        return records.stream().map(ConsumerRecord::value).toList();
    }
}
