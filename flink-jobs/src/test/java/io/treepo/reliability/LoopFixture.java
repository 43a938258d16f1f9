package io.treepo.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.treepo.jobs.Backlog;
import io.treepo.jobs.FaultInjection;
import io.treepo.jobs.JobConfig;
import io.treepo.jobs.TreepoJob;
import io.treepo.kafka.EmbeddedKafkaExtension;
import io.treepo.kafka.PromptProducer;
import io.treepo.kafka.TaskPrompts;
import io.treepo.kafka.TopicReader;
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
import io.treepo.schemas.LedgerEntry;
import io.treepo.schemas.PolicyWeights;
import io.treepo.schemas.Prompt;
import io.treepo.schemas.codec.Codecs;
import io.treepo.schemas.weights.PolicyVersions;
import io.treepo.schemas.weights.WeightsAssembler;
import io.treepo.schemas.weights.WeightsAssembler.Assembled;
import io.treepo.tasks.Task;
import io.treepo.tasks.Tasks;
import io.treepo.trainer.Estimator;
import io.treepo.trainer.PpoConfig;
import io.treepo.trainer.operator.TrainerSettings;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.LongStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One run of the whole loop for the reliability tests: its own topics and consumer group on a
 * shared embedded broker, a tiny model, and the checks of "nothing lost, nothing trained twice"
 * read from the topics the way an outside consumer reads them.
 */
final class LoopFixture {
    static final int TREES_PER_STEP = 3;
    private static byte[] tinyWeights;

    /** Client properties of the broker the loop runs against (embedded, or in its own process). */
    final Properties kafka;
    final TopicReader reader;
    final Topics topics;
    final String group;
    /** Every prompt id produced so far through {@link #produce}, valid or not (a test's raw records are its own to check). */
    final Set<String> produced = new HashSet<>();
    private long nextSeed;

    /** A loop with its own topics on a shared embedded broker. */
    LoopFixture(EmbeddedKafkaExtension kafka, String name) throws InterruptedException {
        this(kafka.kafka().clientProperties(),
                new Topics(name + ".prompts", name + ".weights", name + ".leaves", name + ".dlq", name + ".metrics", name + ".ledger"), name);
        kafka.kafka().createTopics(topics, 2);
    }

    /** A loop on existing topics of any broker; {@code group} is the job's consumer group and the prompt ids' prefix. */
    LoopFixture(Properties kafka, Topics topics, String group) {
        this.kafka = kafka;
        this.reader = new TopicReader(kafka);
        this.topics = topics;
        this.group = group;
    }

    static synchronized byte[] tinyWeights() {
        if (tinyWeights == null) {
            try (PolicyTrainer trainer = PolicyTrainer.create(ModelConfig.tiny(), TrainerConfig.defaults(), new ByteTokenizer(), "cpu", 7)) {
                EncodedWeights w = trainer.weights();
                tinyWeights = PolicyVersions.toBytes(new Assembled(0, 0, w.config().toJson(), w.sha256(), w.payload(), 0));
            }
        }
        return tinyWeights;
    }

    /** Nothing goes stale (max staleness 100), trees never time out: every tree is trained whole. */
    JobConfig config(FaultInjection faults) {
        TreeConfig tree = TreeConfig.builder().width(4).segmentTokens(4).maxDepth(4).maxResponseTokens(12)
                .sampling(SamplingConfig.standard()).build();
        TrainerSettings trainer = new TrainerSettings(Estimator.TREE_AVERAGE, PpoConfig.defaults(), 100, false, 64,
                TrainerConfig.defaults().withLearningRate(1e-3f), tinyWeights(), TREES_PER_STEP, 4096, "cpu");
        return new JobConfig(kafka, topics, group, 1,
                new RolloutConfig(tree, 4, tinyWeights(), 64L << 20, 3, "cpu"), trainer, 2, Duration.ofSeconds(10),
                Duration.ofSeconds(60), 500).withFaults(faults);
    }

    /** A MiniCluster with short checkpoints and quick restarts, optionally resuming from a savepoint. */
    /** @param overrides settings of the test over the defaults below */
    static StreamExecutionEnvironment environment(String savepoint, Configuration overrides) {
        Configuration conf = new Configuration();
        conf.setString("execution.checkpointing.interval", "500 ms");
        Backlog.configure(conf); // as the commands run it
        conf.setString("taskmanager.numberOfTaskSlots", "4");
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "5");
        conf.setString("restart-strategy.fixed-delay.delay", "200 ms");
        if (savepoint != null) {
            conf.setString("execution.state-recovery.path", savepoint);
        }
        conf.addAll(overrides);
        return StreamExecutionEnvironment.createLocalEnvironment(1, conf);
    }

    JobClient start(FaultInjection faults, String savepoint) throws Exception {
        return start(faults, savepoint, new Configuration());
    }

    JobClient start(FaultInjection faults, String savepoint, Configuration base) throws Exception {
        StreamExecutionEnvironment env = environment(savepoint, base);
        TreepoJob.build(env, config(faults));
        return env.executeAsync(group);
    }

    /** {@code count} echo prompts with fresh ids. */
    List<Prompt> prompts(int count) {
        List<Prompt> prompts = new ArrayList<>();
        new TaskPrompts(Tasks.byName("echo"), Task.Split.TRAIN, nextSeed, count).forEachRemaining(prompts::add);
        nextSeed += count;
        for (Prompt p : prompts) {
            p.setId(group + "-" + p.getId());
        }
        return prompts;
    }

    void produce(List<Prompt> prompts) {
        try (PromptProducer producer = new PromptProducer(kafka, topics.prompts(), 0, p -> {})) {
            prompts.forEach(producer::send);
            producer.finish();
        }
        prompts.forEach(p -> produced.add(p.getId()));
    }

    List<LedgerEntry> ledgerUntil(int trees, Duration timeout) {
        return reader.readValuesUntil(topics.ledger(), Codecs.LEDGER,
                entries -> entries.stream().mapToInt(e -> e.getPromptIds().size()).sum() >= trees, timeout);
    }

    /** Prompt ids in the dead-letter topic, one per source record (the topic is at-least-once: replays repeat). */
    Set<String> deadLettered() {
        Map<Long, DeadLetter> byOffset = new HashMap<>();
        for (DeadLetter d : reader.readAll(topics.deadLetters(), Codecs.DEAD_LETTER)) {
            byOffset.put(((long) d.getPartition() << 48) ^ d.getOffset(), d);
        }
        Set<String> ids = new HashSet<>();
        for (DeadLetter d : byOffset.values()) {
            try {
                ids.add(Codecs.PROMPT.decode(bytes(d.getOriginal())).getId());
            } catch (Exception e) {
                ids.add("<undecodable at offset " + d.getOffset() + ">");
            }
        }
        return ids;
    }

    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    /**
     * How versions were re-published by a trainer restored from a checkpoint before them: "n (m with
     * other bytes)", counted by first chunks on the weights topic.
     */
    String versionsRepublished() {
        Map<Long, List<String>> digests = new HashMap<>();
        for (PolicyWeights chunk : reader.readAll(topics.weights(), Codecs.POLICY_WEIGHTS)) {
            if (chunk.getChunkIndex() == 0) {
                digests.computeIfAbsent(chunk.getVersion(), v -> new ArrayList<>()).add(chunk.getSha256());
            }
        }
        long again = digests.values().stream().filter(d -> d.size() > 1).count();
        long otherBytes = digests.values().stream().filter(d -> new HashSet<>(d).size() > 1).count();
        return again + " (" + otherBytes + " with other bytes)";
    }

    /** Versions a reader of the weights topic from its start assembles, in order, by the job's rules (misfit configs refused first). */
    List<Long> versionsSeenByAConsumer() {
        WeightsAssembler assembler = new WeightsAssembler(0);
        List<Long> versions = new ArrayList<>();
        String model = ModelConfig.tiny().toJson();
        for (PolicyWeights chunk : reader.readAll(topics.weights(), Codecs.POLICY_WEIGHTS)) {
            if (!ModelConfig.fromJson(chunk.getModelConfig()).toJson().equals(model)) {
                continue;
            }
            WeightsAssembler.Result result = assembler.accept(chunk);
            if (result.outcome() == WeightsAssembler.Outcome.COMPLETE) {
                versions.add(result.weights().version());
            }
        }
        return versions;
    }

    /**
     * Every produced prompt is trained exactly once or dead-lettered, never both; the ledger's
     * versions run 1, 2, ... without a gap or a repeat; a reader of the weights topic sees 1..newest
     * in order, each once.
     *
     * @return the ledger, for further checks
     */
    List<LedgerEntry> assertNothingLostNothingTwice(int expectedTrained) {
        List<LedgerEntry> ledger = ledgerUntil(expectedTrained, Duration.ofMinutes(3));
        List<String> trained = ledger.stream().flatMap(e -> e.getPromptIds().stream()).toList();
        assertThat(trained).as("trained prompt ids").doesNotHaveDuplicates().hasSize(expectedTrained);
        Set<String> dead = deadLettered();
        assertThat(dead).as("dead-lettered and trained").doesNotContainAnyElementsOf(trained);
        Set<String> accounted = new HashSet<>(trained);
        accounted.addAll(dead);
        assertThat(accounted).as("trained or dead-lettered").containsAll(produced);
        assertThat(produced).as("produced by this fixture").containsAll(trained);
        assertThat(ledger).as("no leaf went stale").allSatisfy(e -> assertThat(e.getLeavesStale()).isZero());

        List<Long> versions = ledger.stream().filter(LedgerEntry::getApplied).map(LedgerEntry::getVersion).toList();
        long newest = versions.isEmpty() ? 0 : versions.get(versions.size() - 1);
        assertThat(versions).as("versions in the ledger").containsExactlyElementsOf(LongStream.rangeClosed(1, newest).boxed().toList());
        // The weights sink is at-least-once: wait for the newest version to be on the topic.
        List<Long> seen = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && (seen.isEmpty() || seen.get(seen.size() - 1) < newest)) {
            seen = versionsSeenByAConsumer();
        }
        assertThat(seen).as("versions a weights consumer sees").startsWith(LongStream.rangeClosed(1, newest).boxed().toArray(Long[]::new));
        assertThat(seen).as("strictly increasing, no gap").containsExactlyElementsOf(LongStream.rangeClosed(1, seen.size()).boxed().toList());
        long restores = ledger.stream().filter(e -> e.getRestoredCheckpoint() >= 0).count();
        // The figures of the README's Reliability section come from these lines.
        System.out.printf("RELIABILITY %s: produced %d, trained %d, dead-lettered %d, lost %d, trained twice %d, "
                        + "ledger versions 1..%d, weights versions seen %s, restores %d, versions re-published after a restore %s%n",
                group, produced.size(), trained.size(), dead.size(), produced.size() - accounted.stream().filter(produced::contains).count(),
                trained.size() - new HashSet<>(trained).size(), newest, seen, restores, versionsRepublished());
        return ledger;
    }

    /** The trainer was restored from a checkpoint and its model and optimiser state came back bit for bit. */
    static void assertRestoredExactly(List<LedgerEntry> ledger) {
        List<LedgerEntry> restores = ledger.stream().filter(e -> e.getRestoredCheckpoint() >= 0).toList();
        assertThat(restores).as("ledger entries written right after a restore").isNotEmpty();
        for (LedgerEntry e : restores) {
            assertThat(e.getStateDigestAtCheckpoint()).isNotNull();
            assertThat(e.getStateDigestAfterRestore()).as("trainer state after restoring checkpoint " + e.getRestoredCheckpoint())
                    .isEqualTo(e.getStateDigestAtCheckpoint());
        }
    }
}
