package io.treepo.kafka;

import io.treepo.schemas.codec.AvroCodec;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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

    /** A reader of this broker's topics. */
    public TopicReader reader() {
        return new TopicReader(kafka.clientProperties());
    }

    /** {@link TopicReader#readUntil} on this broker. */
    public <T extends SpecificRecord> List<ConsumerRecord<String, T>> readUntil(
            String topic, AvroCodec<T> codec, Predicate<List<ConsumerRecord<String, T>>> done, Duration timeout) {
        return reader().readUntil(topic, codec, done, timeout);
    }

    /** {@link TopicReader#readAll} on this broker. */
    public <T extends SpecificRecord> List<T> readAll(String topic, AvroCodec<T> codec) {
        return reader().readAll(topic, codec);
    }

    /** {@link TopicReader#readValuesUntil} on this broker. */
    public <T extends SpecificRecord> List<T> readValuesUntil(String topic, AvroCodec<T> codec, Predicate<List<T>> done, Duration timeout) {
        return reader().readValuesUntil(topic, codec, done, timeout);
    }
}
