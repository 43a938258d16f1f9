package io.treepo.kafka;

import io.treepo.schemas.Prompt;
import io.treepo.schemas.codec.AvroSerializer;
import io.treepo.schemas.codec.Codecs;
import java.time.Duration;
import java.util.Iterator;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes prompts to a topic as Avro records keyed by prompt id, optionally at a fixed rate, and
 * reports progress. Used by {@code treepo produce} and by the demo's prompt stream.
 */
public final class PromptProducer implements AutoCloseable {
    private final KafkaProducer<String, Prompt> producer;
    private final String topic;

    /** How a run went. {@code firstError} is the first send failure's message, or null. */
    public record Result(long sent, long failed, Duration elapsed, String firstError) {}

    /** A progress report: records handed to the producer so far, acknowledged and failed. */
    public record Progress(long submitted, long sent, long failed, Duration elapsed) {}

    public PromptProducer(Properties clientProperties, String topic) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        // fail fast and say so when the broker is unreachable, instead of blocking for a minute
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new AvroSerializer<>(Codecs.PROMPT));
        this.topic = topic;
    }

    /**
     * Sends every prompt, then waits for all acknowledgements.
     *
     * @param ratePerSecond records per second, or 0 for as fast as the producer goes
     * @param onProgress called about once a second from this thread
     */
    public Result send(Iterator<Prompt> prompts, double ratePerSecond, Consumer<Progress> onProgress) throws InterruptedException {
        AtomicLong sent = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        long start = System.nanoTime();
        long lastReport = start;
        long submitted = 0;
        while (prompts.hasNext()) {
            Prompt prompt = prompts.next();
            if (ratePerSecond > 0) {
                long due = start + (long) (submitted * 1e9 / ratePerSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // pacing to the asked rate
                }
            }
            try {
                producer.send(new ProducerRecord<>(topic, prompt.getId(), prompt), (metadata, error) -> {
                    if (error == null) {
                        sent.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, error.getMessage());
                    }
                });
            } catch (RuntimeException e) {
                failed.incrementAndGet();
                firstError.compareAndSet(null, e.getMessage());
            }
            submitted++;
            long now = System.nanoTime();
            if (now - lastReport >= 1_000_000_000L) {
                lastReport = now;
                onProgress.accept(new Progress(submitted, sent.get(), failed.get(), Duration.ofNanos(now - start)));
            }
        }
        producer.flush();
        return new Result(sent.get(), failed.get(), Duration.ofNanos(System.nanoTime() - start), firstError.get());
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
