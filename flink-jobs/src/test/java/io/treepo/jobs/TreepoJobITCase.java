package io.treepo.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.treepo.kafka.EmbeddedKafkaExtension;
import io.treepo.kafka.KafkaClientConfig;
import io.treepo.kafka.PromptProducer;
import io.treepo.kafka.TaskPrompts;
import io.treepo.kafka.Topics;
import io.treepo.policy.ByteTokenizer;
import io.treepo.policy.EncodedWeights;
import io.treepo.policy.ModelConfig;
import io.treepo.policy.PolicyTrainer;
import io.treepo.policy.SamplingConfig;
import io.treepo.policy.TrainerConfig;
import io.treepo.rollout.operator.RolloutConfig;
import io.treepo.rollout.sampler.TreeConfig;
import io.treepo.schemas.DeadLetter;
import io.treepo.schemas.Leaf;
import io.treepo.schemas.MetricsRecord;
import io.treepo.schemas.Segment;
import io.treepo.schemas.PolicyWeights;
import io.treepo.schemas.codec.Codecs;
import io.treepo.schemas.weights.PolicyVersions;
import io.treepo.schemas.weights.WeightsAssembler.Assembled;
import io.treepo.schemas.weights.WeightsStore;
import io.treepo.tasks.Task;
import io.treepo.tasks.Tasks;
import io.treepo.trainer.Estimator;
import io.treepo.trainer.PpoConfig;
import io.treepo.trainer.operator.TrainerSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The whole loop on a MiniCluster and an embedded broker, with a tiny model: Kafka in, Kafka out, Kafka around. */
class TreepoJobITCase {
    private static final int PROMPTS = 12;
    private static final int TREES_PER_STEP = 3;

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    static byte[] tinyInitialWeights() {
        try (PolicyTrainer trainer = PolicyTrainer.create(ModelConfig.tiny(), TrainerConfig.defaults(), new ByteTokenizer(), "cpu", 7)) {
            EncodedWeights w = trainer.weights();
            return PolicyVersions.toBytes(new Assembled(0, 0, w.config().toJson(), w.sha256(), w.payload(), 0));
        }
    }

    static JobConfig config(Properties kafka, byte[] weights) {
        TreeConfig tree = TreeConfig.builder().width(4).segmentTokens(4).maxDepth(4).maxResponseTokens(12)
                .sampling(SamplingConfig.standard()).build();
        TrainerSettings trainer = new TrainerSettings(Estimator.TREE_AVERAGE, PpoConfig.defaults(), 100, false, 64,
                TrainerConfig.defaults().withLearningRate(1e-3f), weights, TREES_PER_STEP, 4096, "cpu");
        return new JobConfig(kafka, Topics.defaults(), "itcase", 1,
                new RolloutConfig(tree, 4, weights, 64L << 20, 3, "cpu"), trainer, 2, Duration.ofSeconds(10), Duration.ofSeconds(60), 500);
    }

    static void produce(long firstSeed, int count) throws InterruptedException {
        Properties props = KafkaClientConfig.of(KAFKA.kafka().bootstrapServers(), null);
        try (PromptProducer producer = new PromptProducer(props, Topics.DEFAULT_PROMPTS, 0, p -> {})) {
            new TaskPrompts(Tasks.byName("echo"), Task.Split.TRAIN, firstSeed, count).forEachRemaining(producer::send);
            assertEquals(count, producer.finish().sent());
        }
    }

    static boolean fromTrainer(MetricsRecord record) {
        return record.getSource().equals("trainer");
    }

    @Test
    void everyPromptIsTrainedOnceAndNewVersionsReachTheRollout(@TempDir Path weightsDir) throws Exception {
        // Garbage and an invalid prompt first: they must land in the dead-letter topic, not stop the job.
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(KAFKA.kafka().clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.DEFAULT_PROMPTS, 0, null, "not avro".getBytes())).get();
            var bad = new TaskPrompts(Tasks.byName("echo"), Task.Split.TRAIN, 999, 1).next();
            bad.setTask("no-such-task");
            raw.send(new ProducerRecord<>(Topics.DEFAULT_PROMPTS, 0, null, Codecs.PROMPT.encode(bad))).get();
        }
        Configuration conf = new Configuration();
        conf.setString("execution.checkpointing.interval", "2 s");
        conf.setString("taskmanager.numberOfTaskSlots", "4");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        // every version by reference (a threshold of 1 byte), as a model too large for Kafka chunks would travel
        JobConfig byReference = config(KAFKA.kafka().clientProperties(), tinyInitialWeights());
        TreepoJob.build(env, new JobConfig(byReference.kafka(), byReference.topics(), byReference.groupId(), byReference.rolloutParallelism(),
                byReference.rollout(), byReference.trainer().withWeightsStore(new WeightsStore(weightsDir.toUri().toString(), 1)),
                byReference.rewardThreads(), byReference.reward(), byReference.rewardTimeout(), byReference.treeTimeout(),
                byReference.maxPromptChars(), byReference.faults(), byReference.placement()));
        JobClient job = env.executeAsync("treepo-itcase");
        try {
            // Two waves: the second goes out once the rollout says it decodes with a published version.
            produce(0, PROMPTS / 2);
            KAFKA.readValuesUntil(Topics.DEFAULT_METRICS, Codecs.METRICS,
                    r -> r.stream().anyMatch(m -> m.getSource().equals("rollout") && m.getPolicyVersion() >= 1), Duration.ofMinutes(2));
            produce(PROMPTS / 2, PROMPTS / 2);

            List<MetricsRecord> steps = KAFKA.readValuesUntil(Topics.DEFAULT_METRICS, Codecs.METRICS,
                    r -> r.stream().filter(TreepoJobITCase::fromTrainer).mapToDouble(m -> m.getValues().get("trees")).sum() >= PROMPTS,
                    Duration.ofMinutes(3)).stream().filter(TreepoJobITCase::fromTrainer).toList();
            assertEquals(PROMPTS, (int) steps.stream().mapToDouble(m -> m.getValues().get("trees")).sum(), "trees trained");
            assertThat(steps).hasSize(PROMPTS / TREES_PER_STEP);
            assertThat(steps.get(steps.size() - 1).getPolicyVersion()).isGreaterThanOrEqualTo(2);

            List<Leaf> leaves = KAFKA.readValuesUntil(Topics.DEFAULT_LEAVES, Codecs.LEAF,
                    r -> r.stream().filter(l -> l.getLeavesInTree() >= 0).count() >= PROMPTS, Duration.ofSeconds(30));
            Set<String> trees = new HashSet<>();
            leaves.forEach(l -> trees.add(l.getTreeId()));
            assertEquals(PROMPTS, trees.size());
            assertThat(leaves.stream().flatMap(l -> l.getSegments().stream()).mapToLong(Segment::getPolicyVersion).max().orElse(0))
                    .as("leaves of the second wave were sampled by a version the trainer published").isGreaterThanOrEqualTo(1);

            List<PolicyWeights> published = KAFKA.readValuesUntil(Topics.DEFAULT_WEIGHTS, Codecs.POLICY_WEIGHTS, r -> r.size() >= 2,
                    Duration.ofSeconds(30));
            assertThat(published).allSatisfy(w -> {
                assertThat(w.getPayload()).as("no bytes on the topic").isNull();
                assertThat(w.getUri()).startsWith("file:" + weightsDir.toUri().getPath());
            });

            List<DeadLetter> dead = KAFKA.readValuesUntil(Topics.DEFAULT_DEAD_LETTERS, Codecs.DEAD_LETTER, r -> r.size() >= 2, Duration.ofSeconds(30));
            assertThat(dead).extracting(DeadLetter::getErrorType).containsExactlyInAnyOrder("BAD_HEADER", "INVALID_PROMPT");
            assertThat(dead).anySatisfy(d -> assertThat(d.getReason()).contains("unknown task 'no-such-task'"));
        } finally {
            job.cancel().get();
        }
    }
}
