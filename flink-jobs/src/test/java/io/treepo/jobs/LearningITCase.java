package io.treepo.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.treepo.kafka.EmbeddedKafkaExtension;
import io.treepo.kafka.KafkaClientConfig;
import io.treepo.kafka.PromptProducer;
import io.treepo.kafka.Topics;
import io.treepo.policy.EncodedWeights;
import io.treepo.policy.TrainerConfig;
import io.treepo.schemas.MetricsRecord;
import io.treepo.schemas.Prompt;
import io.treepo.schemas.codec.Codecs;
import io.treepo.schemas.weights.PolicyVersions;
import io.treepo.schemas.weights.WeightsAssembler.Assembled;
import io.treepo.tasks.EchoTask;
import io.treepo.trainer.operator.TrainerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Learning is wired end to end: the real loop (Kafka, rollout, reward, window, trainer, weights back
 * through Kafka) raises the reward of a tiny policy on the most learnable task there is. The warm
 * start knows the answer format ({@code "A: <digit>"}) but picks the digit at random from four; every
 * prompt shows the same number, so a policy that learns anything from its rewards soon says it more
 * often.
 */
class LearningITCase {
    private static final int STEPS = 25;
    private static final int TREES_PER_STEP = 3; // TreepoJobITCase.config's

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    /** {@link TinyPolicies#formatOnly()} as version 0. */
    static byte[] formatOnlyWarmStart() {
        EncodedWeights w = TinyPolicies.formatOnly();
        return PolicyVersions.toBytes(new Assembled(0, 0, w.config().toJson(), w.sha256(), w.payload(), 0));
    }

    /** TreepoJobITCase's loop with a learning rate that a tiny model on a trivial task takes without warm-up. */
    static JobConfig config() {
        JobConfig base = TreepoJobITCase.config(KAFKA.kafka().clientProperties(), formatOnlyWarmStart());
        TrainerSettings t = base.trainer();
        TrainerSettings fast = new TrainerSettings(t.estimator(), t.ppo(), t.maxStaleness(), t.dropZeroSignal(), t.miniBatchLeaves(),
                new TrainerConfig(3e-3f, 0, 0.1f, 1f, 0.9f, 0.95f, 1e-8f, 0), t.initialWeights(), t.treesPerStep(), t.chunkBytes(), t.device());
        // a group of its own: the ledger's transactional id prefix comes from it, and Flink's Kafka sink refuses a
        // prefix still registered in this JVM by another test's job that is being torn down
        return new JobConfig(base.kafka(), base.topics(), "learning-itcase", base.rolloutParallelism(), base.rollout(), fast, base.rewardThreads(),
                base.rewardTimeout(), base.treeTimeout(), base.maxPromptChars());
    }

    @Test
    void rewardRisesOverTrainingSteps() throws Exception {
        Configuration conf = new Configuration();
        conf.setString("execution.checkpointing.interval", "5 s");
        conf.setString("taskmanager.numberOfTaskSlots", "4");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        TreepoJob.build(env, config());
        JobClient job = env.executeAsync("treepo-learning-itcase");
        try {
            // Prompts go out as training takes them, two updates ahead, as the demo's feeder does: a backlog
            // sampled far ahead of training would be trained stale, and PPO's clip stops learning from it.
            List<MetricsRecord> steps = new ArrayList<>();
            try (PromptProducer producer = new PromptProducer(KafkaClientConfig.of(KAFKA.kafka().bootstrapServers(), null),
                    Topics.DEFAULT_PROMPTS, 0, p -> {});
                    KafkaConsumer<byte[], byte[]> metrics = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                metrics.subscribe(List.of(Topics.DEFAULT_METRICS));
                int sent = 0;
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (steps.size() < STEPS && System.nanoTime() < deadline) {
                    while (sent < (steps.size() + 2) * TREES_PER_STEP) {
                        producer.send(Prompt.newBuilder().setId("say-5-" + sent++).setTask(EchoTask.NAME).setText("Say 5\n").setReference("5")
                                .setCreatedAtMs(System.currentTimeMillis()).build());
                    }
                    for (ConsumerRecord<byte[], byte[]> r : metrics.poll(Duration.ofMillis(200))) {
                        MetricsRecord m = Codecs.METRICS.decode(r.value());
                        if (TreepoJobITCase.fromTrainer(m)) {
                            steps.add(m);
                        }
                    }
                }
            }
            assertThat(steps).as("training updates").hasSizeGreaterThanOrEqualTo(STEPS);
            double first = meanReward(steps.subList(0, 4));
            double last = meanReward(steps.subList(STEPS - 8, STEPS));
            assertThat(first).as("the warm start guesses the digit").isLessThan(0.45);
            assertThat(last).as("mean reward of the last 8 updates vs the first 4 (%.3f)", first).isGreaterThan(first + 0.25);
        } finally {
            job.cancel().get();
        }
    }

    private static Properties consumerProperties() {
        Properties props = KafkaClientConfig.of(KAFKA.kafka().bootstrapServers(), null);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "learning-itcase");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return props;
    }

    private static double meanReward(List<MetricsRecord> steps) {
        return steps.stream().mapToDouble(m -> m.getValues().get("reward_mean")).average().orElseThrow();
    }
}
