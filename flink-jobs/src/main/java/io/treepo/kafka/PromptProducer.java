package io.treepo.kafka;

import io.treepo.schemas.Prompt;
import io.treepo.schemas.codec.AvroSerializer;
import io.treepo.schemas.codec.Codecs;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes prompts to a topic as Avro records keyed by prompt id, optionally paced to a fixed rate,
 * reporting progress about once a second. Used by {@code treepo produce} and the demo's prompt stream.
 *
 * <p>A failure that concerns one record (too large, not serialisable) is counted and the next record
 * goes on. Any other failure (topic missing or deleted, not authorised, broker gone, metadata
 * timeout) would meet every record after it, each after its own timeout: the first one stops the
 * producer, and the next {@link #send} throws {@link Stopped}.
 *
 * <pre>{@code
 * try (PromptProducer producer = new PromptProducer(props, "treepo.prompts", 0, progress -> {})) {
 *     prompts.forEach(producer::send);
 *     PromptProducer.Result result = producer.finish();
 * }
 * }</pre>
 */
public final class PromptProducer implements AutoCloseable {
    private final KafkaProducer<String, Prompt> producer;
    private final String topic;
    private final double ratePerSecond;
    private final Consumer<Progress> onProgress;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final AtomicReference<Throwable> stoppedBy = new AtomicReference<>();
    private final long start = System.nanoTime();
    private long lastReport = start;
    private long submitted;

    /** How a run went. {@code firstError} is the first send failure's message, or null. */
    public record Result(long sent, long failed, Duration elapsed, String firstError) {}

    /** Thrown by {@link #send} after a failure that every later record would meet too. */
    public static final class Stopped extends RuntimeException {
        Stopped(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** Records handed to the producer so far, acknowledged and failed. */
    public record Progress(long submitted, long sent, long failed, Duration elapsed) {
        public double perSecond() {
            return sent / Math.max(1e-3, elapsed.toNanos() / 1e9);
        }
    }

    /**
     * @param ratePerSecond records per second, or 0 for as fast as the producer goes
     * @param onProgress called about once a second from the sending thread
     */
    public PromptProducer(Properties clientProperties, String topic, double ratePerSecond, Consumer<Progress> onProgress) {
        if (ratePerSecond < 0) {
            throw new IllegalArgumentException("rate must be >= 0, got " + ratePerSecond);
        }
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
        this.ratePerSecond = ratePerSecond;
        this.onProgress = onProgress;
    }

    /**
     * Sends one prompt (asynchronously), first waiting as long as the rate asks.
     *
     * @throws Stopped when an earlier record failed in a way the next ones would too
     */
    public void send(Prompt prompt) {
        Throwable stop = stoppedBy.get();
        if (stop != null) {
            throw new Stopped(stop);
        }
        if (ratePerSecond > 0) {
            long wait = start + (long) (submitted * 1e9 / ratePerSecond) - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait); // pacing to the asked rate
            }
        }
        try {
            producer.send(new ProducerRecord<>(topic, prompt.getId(), prompt), (metadata, error) -> {
                if (error == null) {
                    sent.incrementAndGet();
                } else {
                    failed(error);
                }
            });
        } catch (RuntimeException e) {
            failed(e);
        }
        submitted++;
        long now = System.nanoTime();
        if (now - lastReport >= 1_000_000_000L) {
            lastReport = now;
            onProgress.accept(progress());
        }
    }

    private void failed(Throwable error) {
        failed.incrementAndGet();
        firstError.compareAndSet(null, error.getMessage());
        if (!concernsOneRecord(error)) {
            stoppedBy.compareAndSet(null, error);
        }
    }

    /** Failures that the next record need not meet: this record is too large, or not valid. */
    static boolean concernsOneRecord(Throwable error) {
        return error instanceof RecordTooLargeException || error instanceof SerializationException || error instanceof InvalidRecordException;
    }

    /** Whether a failure stopped the producer (see {@link Stopped}). */
    public boolean stopped() {
        return stoppedBy.get() != null;
    }

    public Progress progress() {
        return new Progress(submitted, sent.get(), failed.get(), Duration.ofNanos(System.nanoTime() - start));
    }

    /** Waits for every acknowledgement and says how the run went. */
    public Result finish() {
        producer.flush();
        return new Result(sent.get(), failed.get(), Duration.ofNanos(System.nanoTime() - start), firstError.get());
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
