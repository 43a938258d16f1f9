package io.treepo.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.treepo.kafka.EmbeddedKafkaExtension;
import io.treepo.kafka.KafkaClientConfig;
import io.treepo.kafka.PromptProducer;
import io.treepo.kafka.Topics;
import io.treepo.rollout.operator.RolloutConfig;
import io.treepo.rollout.sampler.SamplerKind;
import io.treepo.rollout.sampler.TreeConfig;
import io.treepo.schemas.Leaf;
import io.treepo.schemas.MetricsRecord;
import io.treepo.schemas.Prompt;
import io.treepo.schemas.codec.Codecs;
import io.treepo.tasks.EchoTask;
import io.treepo.trainer.Estimator;
import io.treepo.trainer.operator.TrainerSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The loop with {@code --sampler fr3e}: leaves reach the leaves topic keyed by their FR3E state and
 * the trainer makes versions from them with the FR3E estimator. A broker of its own, so the topics
 * hold this run's records only.
 */
class Fr3eLoopITCase {
    private static final int PROMPTS = 6;
    private static final int TREES_PER_STEP = 3; // TreepoJobITCase.config's

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    /**
     * TreepoJobITCase's loop from LearningITCase's warm start, with FR3E: one state besides the prompt,
     * three rollouts each, so that most states of a policy right a quarter of the time hold a reward signal.
     */
    static JobConfig config() {
        JobConfig base = TreepoJobITCase.config(KAFKA.kafka().clientProperties(), LearningITCase.formatOnlyWarmStart());
        RolloutConfig r = base.rollout();
        TreeConfig tree = r.tree().toBuilder().kind(SamplerKind.FR3E).width(6).fr3eStates(1).build();
        TrainerSettings t = base.trainer();
        TrainerSettings fr3e = new TrainerSettings(Estimator.FR3E, t.ppo(), t.maxStaleness(), t.dropZeroSignal(), t.miniBatchLeaves(),
                t.optimizer(), t.initialWeights(), t.treesPerStep(), t.chunkBytes(), t.device());
        // a group of its own, as LearningITCase explains
        return new JobConfig(base.kafka(), base.topics(), "fr3e-itcase", base.rolloutParallelism(),
                new RolloutConfig(tree, r.maxTreesInFlight(), r.initialWeights(), r.cacheBudgetBytes(), r.seed(), r.device()), fr3e,
                base.rewardThreads(), base.rewardTimeout(), base.treeTimeout(), base.maxPromptChars());
    }

    @Test
    void leavesCarryTheirStatesAndTheTrainerLearnsFromThem() throws Exception {
        Configuration conf = new Configuration();
        conf.setString("execution.checkpointing.interval", "5 s");
        conf.setString("taskmanager.numberOfTaskSlots", "4");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        TreepoJob.build(env, config());
        JobClient job = env.executeAsync("treepo-fr3e-itcase");
        try {
            try (PromptProducer producer = new PromptProducer(KafkaClientConfig.of(KAFKA.kafka().bootstrapServers(), null),
                    Topics.DEFAULT_PROMPTS, 0, p -> {})) {
                for (int i = 0; i < PROMPTS; i++) {
                    producer.send(Prompt.newBuilder().setId("say-5-" + i).setTask(EchoTask.NAME).setText("Say 5\n").setReference("5")
                            .setCreatedAtMs(System.currentTimeMillis()).build());
                }
            }
            List<MetricsRecord> steps = KAFKA.readValuesUntil(Topics.DEFAULT_METRICS, Codecs.METRICS,
                    r -> r.stream().filter(TreepoJobITCase::fromTrainer).count() >= PROMPTS / TREES_PER_STEP, Duration.ofMinutes(2))
                    .stream().filter(TreepoJobITCase::fromTrainer).toList();
            assertThat(steps.stream().mapToDouble(m -> m.getValues().get("leaves_trained")).sum()).as("leaves trained").isPositive();
            assertThat(steps.get(steps.size() - 1).getPolicyVersion()).as("versions made from FR3E advantages").isGreaterThanOrEqualTo(1);

            List<Leaf> leaves = KAFKA.readValuesUntil(Topics.DEFAULT_LEAVES, Codecs.LEAF,
                    r -> r.stream().filter(l -> l.getLeavesInTree() >= 0).count() >= PROMPTS, Duration.ofSeconds(30));
            assertThat(leaves).allSatisfy(l -> assertThat(l.getSampler()).isEqualTo("fr3e"));
            Map<String, List<Leaf>> byTree = leaves.stream().collect(Collectors.groupingBy(Leaf::getTreeId));
            assertThat(byTree).hasSize(PROMPTS);
            byTree.forEach((tree, own) -> {
                Map<Integer, Long> perState = own.stream().collect(Collectors.groupingBy(Leaf::getFr3eState, Collectors.counting()));
                // the trajectory and two more rollouts from the prompt; three from S_1 unless the trajectory had a single token
                assertThat(perState).as(tree).containsEntry(0, 3L);
                assertThat(perState.keySet()).as(tree).isSubsetOf(0, 1);
                assertThat(perState.getOrDefault(1, 3L)).as(tree).isEqualTo(3L);
            });
        } finally {
            job.cancel().get();
        }
    }
}
