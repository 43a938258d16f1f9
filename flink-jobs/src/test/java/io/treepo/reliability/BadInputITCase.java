package io.treepo.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.treepo.jobs.FaultInjection;
import io.treepo.kafka.EmbeddedKafkaExtension;
import io.treepo.policy.ModelConfig;
import io.treepo.schemas.DeadLetter;
import io.treepo.schemas.MetricsRecord;
import io.treepo.schemas.PolicyWeights;
import io.treepo.schemas.Prompt;
import io.treepo.schemas.codec.Codecs;
import io.treepo.schemas.weights.WeightsChunks;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input on both topics the job reads, while it runs and trains (one job for all cases; each
 * case is then checked on its own). Prompts: each bad record becomes a dead letter with a reason a
 * person understands; a duplicate prompt id is dropped and counted (the rollout's policy). Weights:
 * each bad publication is refused and counted, and decoding goes on with the last good version.
 */
class BadInputITCase {
    private static final int WAVE = 6;

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();
    private static LoopFixture loop;
    private static JobClient job;
    /** Offset on the prompts topic of each bad prompt case. */
    private static final Map<String, Long> offsets = new HashMap<>();
    private static List<DeadLetter> deadLetters;
    private static List<MetricsRecord> rolloutAfterInjection;
    private static long versionBeforeInjection;

    /** A valid prompt's encoding with {@code edit} applied to the record. */
    private static byte[] prompt(Function<Prompt, Prompt> edit) {
        return Codecs.PROMPT.encode(edit.apply(loop.prompts(1).get(0)));
    }

    /** The bad prompt cases: name, bytes, expected error type, a phrase the reason must hold. */
    static Stream<Arguments> promptCases() {
        return Stream.of(
                Arguments.of("random bytes", (java.util.function.Supplier<byte[]>) () -> {
                    byte[] bytes = new byte[64];
                    new Random(1).nextBytes(bytes);
                    bytes[0] = 0x42;
                    return bytes;
                }, "BAD_HEADER", "not an Avro single-object encoded Prompt"),
                Arguments.of("truncated Avro", (java.util.function.Supplier<byte[]>) () -> {
                    byte[] whole = prompt(p -> p);
                    return Arrays.copyOf(whole, whole.length / 2);
                }, "CORRUPT_BODY", "truncated Prompt"),
                Arguments.of("a record of another schema", (java.util.function.Supplier<byte[]>) () -> Codecs.METRICS.encode(
                        MetricsRecord.newBuilder().setSource("x").setStep(0).setPolicyVersion(0).setTimestampMs(0).setValues(Map.of()).build()),
                        "UNKNOWN_SCHEMA", "a record of another schema"),
                Arguments.of("empty text", (java.util.function.Supplier<byte[]>) () -> prompt(p -> { p.setText(""); return p; }),
                        "INVALID_PROMPT", "prompt text is empty"),
                Arguments.of("a 1 MB prompt", (java.util.function.Supplier<byte[]>) () -> prompt(p -> { p.setText("7".repeat(1 << 20)); return p; }),
                        "INVALID_PROMPT", "1048576 characters, longer than the limit of 500"),
                Arguments.of("invalid UTF-8", (java.util.function.Supplier<byte[]>) () -> invalidUtf8(),
                        "INVALID_PROMPT", "not valid UTF-8"),
                Arguments.of("unknown task", (java.util.function.Supplier<byte[]>) () -> prompt(p -> { p.setTask("no-such-task"); return p; }),
                        "INVALID_PROMPT", "unknown task 'no-such-task' (known: "));
    }

    /** A prompt whose text bytes are replaced, in place, by a sequence that is not UTF-8. */
    private static byte[] invalidUtf8() {
        byte[] bytes = prompt(p -> { p.setText("QQQQ"); return p; });
        byte[] marker = "QQQQ".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + marker.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + marker.length, marker, 0, marker.length)) {
                bytes[i] = (byte) 0xC3;
                bytes[i + 1] = (byte) 0x28;
                bytes[i + 2] = (byte) 0xFF;
                bytes[i + 3] = (byte) 0xFE;
                return bytes;
            }
        }
        throw new IllegalStateException("marker not found");
    }

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void runTheJobThroughBadInput() throws Exception {
        loop = new LoopFixture(KAFKA, "bad-input");
        job = loop.start(FaultInjection.none(), null, METRICS.addToConfiguration(new Configuration()));
        List<Prompt> first = loop.prompts(WAVE);
        loop.produce(first);
        versionBeforeInjection = loop.ledgerUntil(WAVE, Duration.ofMinutes(2)).stream().mapToLong(e -> e.getVersion()).max().orElse(0);

        Properties props = KAFKA.kafka().clientProperties();
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20);
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Arguments arguments : promptCases().toList()) {
                byte[] bytes = ((java.util.function.Supplier<byte[]>) arguments.get()[1]).get();
                offsets.put((String) arguments.get()[0], raw.send(new ProducerRecord<>(loop.topics.prompts(), 0, null, bytes)).get().offset());
            }
            // the rollout's policy for a second prompt with an id it has seen: dropped and counted
            Prompt again = loop.prompts(1).get(0);
            again.setId(first.get(0).getId());
            raw.send(new ProducerRecord<>(loop.topics.prompts(), 0, null, Codecs.PROMPT.encode(again))).get();
            for (ProducerRecord<byte[], byte[]> record : badWeights()) {
                raw.send(record).get();
            }
        }
        loop.produce(loop.prompts(WAVE));
        loop.assertNothingLostNothingTwice(2 * WAVE);
        deadLetters = KAFKA.readValuesUntil(loop.topics.deadLetters(), Codecs.DEAD_LETTER, r -> r.size() >= offsets.size(), Duration.ofSeconds(30));
        rolloutAfterInjection = KAFKA.readValuesUntil(loop.topics.metrics(), Codecs.METRICS,
                r -> r.stream().anyMatch(m -> m.getSource().equals("rollout") && m.getPolicyVersion() > versionBeforeInjection),
                Duration.ofSeconds(30)).stream().filter(m -> m.getSource().equals("rollout")).toList();
    }

    @AfterAll
    static void stop() throws Exception {
        job.cancel().get(60, TimeUnit.SECONDS);
    }

    private static final long DIGEST_MISMATCH = 1_000_000;
    private static final long MISSING_CHUNK = 1_000_001;
    private static final long MISFIT = 1_000_002;

    /** Publications a trainer never makes, with version numbers far ahead, so each would win if it were taken. */
    private static List<ProducerRecord<byte[], byte[]>> badWeights() {
        String fits = ModelConfig.tiny().toJson();
        ModelConfig tiny = ModelConfig.tiny();
        String misfit = tiny.withLayers(tiny.layers() + 1).toJson();
        byte[] payload = new byte[10_000];
        new Random(2).nextBytes(payload);
        long now = System.currentTimeMillis();
        List<PolicyWeights> chunks = new ArrayList<>();
        List<PolicyWeights> tampered = WeightsChunks.split(DIGEST_MISMATCH, 1, fits, payload, 4096, now);
        tampered.get(1).setPayload(ByteBuffer.wrap(new byte[4096]));
        chunks.addAll(tampered);
        List<PolicyWeights> holed = WeightsChunks.split(MISSING_CHUNK, 1, fits, payload, 4096, now);
        chunks.add(holed.get(0));
        chunks.add(holed.get(2));
        chunks.addAll(WeightsChunks.split(MISFIT, 1, misfit, payload, 4096, now));
        chunks.addAll(WeightsChunks.split(1, 1, fits, payload, 4096, now)); // version 1 again, after newer ones
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(new ProducerRecord<>(loop.topics.weights(), "garbage".getBytes(), "not a weights chunk".getBytes()));
        for (PolicyWeights chunk : chunks) {
            records.add(new ProducerRecord<>(loop.topics.weights(), ("chunk-" + chunk.getChunkIndex()).getBytes(), Codecs.POLICY_WEIGHTS.encode(chunk)));
        }
        return records;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("promptCases")
    void aBadPromptBecomesADeadLetterWithAReason(String name, Object bytes, String errorType, String phrase) {
        long offset = offsets.get(name);
        assertThat(deadLetters).filteredOn(d -> d.getOffset() == offset && d.getSourceTopic().equals(loop.topics.prompts()))
                .isNotEmpty()
                .allSatisfy(d -> {
                    assertThat(d.getErrorType()).isEqualTo(errorType);
                    assertThat(d.getReason()).contains(phrase);
                    assertThat(d.getOriginal().remaining()).isPositive().isLessThanOrEqualTo(64 * 1024);
                });
    }

    @Test
    void aDuplicatePromptIdIsDroppedAndCounted() {
        // assertNothingLostNothingTwice (in the set-up) saw every id trained once; here the count
        assertThat(counter("duplicatePromptsDropped")).isEqualTo(1);
    }

    static Stream<Arguments> weightsCases() {
        return Stream.of(
                Arguments.of("not a weights record at all", "recordsSkipped", 1),
                Arguments.of("a payload whose digest does not match", "weightChunks_DIGEST_MISMATCH", 1),
                Arguments.of("a chunk missing (the version stays incomplete)", "weightChunks_PARTIAL", 2),
                Arguments.of("a config that does not fit the model", "weightChunks_CONFIG_MISFIT", 3),
                Arguments.of("an older version after a newer one", "weightChunks_STALE", 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("weightsCases")
    void aBadPublicationIsRefusedAndCounted(String name, String counter, long atLeast) {
        assertThat(counter(counter)).as(counter).isGreaterThanOrEqualTo(atLeast);
    }

    @Test
    void decodingGoesOnWithTheLastGoodVersionAndTakesNewerOnes() {
        assertThat(rolloutAfterInjection).as("rollout reports").isNotEmpty()
                .allSatisfy(m -> assertThat(m.getPolicyVersion()).isLessThan(DIGEST_MISMATCH));
        assertThat(rolloutAfterInjection).as("the rollout decodes with a version the trainer published after the bad ones")
                .anySatisfy(m -> assertThat(m.getPolicyVersion()).isGreaterThan(versionBeforeInjection));
    }

    private static long counter(String name) {
        String id = job.getJobID().toString();
        long sum = 0;
        for (var group : METRICS.getMetricsByGroup().entrySet()) {
            Metric metric = group.getValue().get(name);
            if (metric != null && id.equals(group.getKey().getAllVariables().get("<job_id>"))) {
                sum += metric instanceof Counter c ? c.getCount() : ((Number) ((Gauge<?>) metric).getValue()).longValue();
            }
        }
        return sum;
    }
}
