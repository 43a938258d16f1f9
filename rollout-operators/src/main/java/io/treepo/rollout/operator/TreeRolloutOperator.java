package io.treepo.rollout.operator;

import io.treepo.policy.Tokenizer;
import io.treepo.rollout.sampler.AnswerCheck;
import io.treepo.rollout.sampler.RolloutSampler;
import io.treepo.rollout.sampler.RoundResult;
import io.treepo.rollout.sampler.SampledLeaf;
import io.treepo.rollout.sampler.TreeState;
import io.treepo.schemas.Leaf;
import io.treepo.schemas.MetricsRecord;
import io.treepo.schemas.Prompt;
import io.treepo.schemas.weights.WeightsAssembler.Assembled;
import io.treepo.tasks.Task;
import io.treepo.tasks.Tasks;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.InstantiationUtil;
import org.apache.flink.util.OutputTag;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * Grows a tree per prompt, batching one segment of every active path of every tree of this subtask
 * into one decode call per round (the sampler does the growing; this class adapts it to Flink).
 *
 * <ul>
 *   <li>Input 1, keyed by prompt id: prompts. Up to {@code maxTreesInFlight} trees grow at once and a
 *       few times as many prompts wait for room; beyond that the operator runs rounds before it
 *       takes the next prompt, so input waits: backpressure reaches Kafka.
 *   <li>Input 2, broadcast: verified policy versions; a newer one is installed between rounds.
 *   <li>Output: each leaf the round it finishes; a tree's last leaf says how many the tree has.
 * </ul>
 *
 * Rounds run from the mailbox (a processing-time callback at "now"), so checkpoints and new prompts
 * interleave with decoding. A checkpoint writes every tree in flight (tokens, log-probs, entropies,
 * versions: no tensors) to keyed state; after a restore the trees resume and their prefix KV is
 * recomputed from tokens. The newest installed weights are kept in operator state.
 */
public final class TreeRolloutOperator extends AbstractStreamOperator<Leaf> implements TwoInputStreamOperator<Prompt, Assembled, Leaf> {
    private static final long serialVersionUID = 1L;

    /** Side output: the rollout's figures every few seconds and after each weight swap. */
    public static final OutputTag<MetricsRecord> METRICS = new OutputTag<>("rollout-metrics", new AvroTypeInfo<>(MetricsRecord.class));
    private static final long METRICS_EVERY_MS = 5_000;
    /** Prompts parked per tree slot before input blocks: prompts are small, stalls are costly. */
    static final int PARKED_PER_TREE = 4;

    private final RolloutConfig config;
    /** Test hook, -1 when off: see {@link #failingOnceAfter}. */
    private final long failOnceAfterRounds;

    private transient ValueState<Prompt> promptState;
    private transient ValueState<byte[]> treeState;
    private transient ValueState<Boolean> seenState;
    private transient ListState<byte[]> weightsState;

    private transient PolicyHolder policy;
    private transient RolloutSampler sampler;
    private transient Tokenizer tokenizer;
    private transient Map<String, Prompt> inFlight;
    private transient ArrayDeque<Prompt> waiting;
    private transient boolean roundScheduled;
    private transient RolloutMetrics metrics;
    private transient Counter duplicates;
    private transient long lastMetricsMs;
    private transient long rounds;
    private transient boolean checkpointCompleted;

    public TreeRolloutOperator(RolloutConfig config) {
        this(config, -1);
    }

    private TreeRolloutOperator(RolloutConfig config, long failOnceAfterRounds) {
        this.config = config;
        this.failOnceAfterRounds = failOnceAfterRounds;
    }

    /**
     * Fault injection for the reliability tests: the operator throws once, mid-tree (after a round,
     * with trees still growing), at the first chance after {@code rounds} rounds and a completed
     * checkpoint, so the job restarts from that checkpoint. Only in the job's first execution
     * attempt (a restarted task has a higher attempt number), so it fails once per job run.
     */
    public static TreeRolloutOperator failingOnceAfter(RolloutConfig config, long rounds) {
        if (rounds < 0) throw new IllegalArgumentException("rounds must be >= 0, got " + rounds);
        return new TreeRolloutOperator(config, rounds);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        promptState = context.getKeyedStateStore().getState(new ValueStateDescriptor<>("prompt", Prompt.class));
        treeState = context.getKeyedStateStore().getState(
                new ValueStateDescriptor<>("tree", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        ValueStateDescriptor<Boolean> seen = new ValueStateDescriptor<>("seen", Boolean.class);
        // Long enough to catch a duplicate produced by a retrying producer; short enough to stay small.
        seen.enableTimeToLive(StateTtlConfig.newBuilder(java.time.Duration.ofHours(6)).build());
        seenState = context.getKeyedStateStore().getState(seen);
        // Union: after a rescale every subtask sees every copy and takes the newest version.
        weightsState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("weights", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void open() throws Exception {
        super.open();
        tokenizer = Tokenizer.forFiles(config.tokenizer());
        inFlight = new HashMap<>();
        waiting = new ArrayDeque<>();
        policy = PolicyHolder.start(config, tokenizer, restoredWeights());
        sampler = new RolloutSampler(config.tree(), policy.decoder(), tokenizer::decode,
                config.seed() * 1_000_003L + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
        metrics = new RolloutMetrics(getMetricGroup(), sampler, policy);
        duplicates = getMetricGroup().counter("duplicatePromptsDropped");
        resumeTreesFromState();
    }

    private List<byte[]> restoredWeights() throws Exception {
        List<byte[]> copies = new ArrayList<>();
        weightsState.get().forEach(copies::add);
        return copies;
    }

    /** Trees checkpointed in flight resume; prompts that were waiting for room wait again. */
    private void resumeTreesFromState() throws Exception {
        List<String> keys = new ArrayList<>();
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        try (Stream<String> stream = backend.getKeys("prompt", VoidNamespace.INSTANCE)) {
            stream.forEach(keys::add);
        }
        for (String key : keys) {
            setCurrentKey(key);
            Prompt prompt = promptState.value();
            byte[] bytes = treeState.value();
            if (prompt == null) {
                continue;
            }
            if (bytes == null) {
                waiting.add(prompt);
                continue;
            }
            TreeState state = InstantiationUtil.deserializeObject(bytes, getClass().getClassLoader());
            sampler.resume(state, answerCheck(prompt));
            inFlight.put(state.treeId(), prompt);
        }
        metrics.treesResumed(inFlight.size());
        startWaitingTrees();
        if (sampler.activeTrees() > 0) {
            scheduleRound();
        }
    }

    /**
     * Backpressure without stalls: a full subtask parks the prompt (in keyed state, so a checkpoint
     * keeps it) and rounds go on from the mailbox, between input records. Only when
     * {@link #PARKED_PER_TREE} times {@code maxTreesInFlight} prompts are parked does it run rounds
     * here until one fits; then input waits in Kafka. Running rounds inside this method is what
     * delays the weights input (a version spans many network buffers, and each is read only between
     * input records), so it is the last resort, not the rule.
     */
    @Override
    public void processElement1(StreamRecord<Prompt> element) throws Exception {
        Prompt prompt = element.getValue();
        if (Boolean.TRUE.equals(seenState.value())) {
            duplicates.inc();
            return;
        }
        seenState.update(true);
        promptState.update(prompt);
        waiting.add(prompt);
        while (waiting.size() > PARKED_PER_TREE * config.maxTreesInFlight()) {
            runRound();
        }
        startWaitingTrees();
        scheduleRound();
    }

    private void startWaitingTrees() {
        while (!waiting.isEmpty() && sampler.activeTrees() < config.maxTreesInFlight()) {
            Prompt prompt = waiting.poll();
            inFlight.put(prompt.getId(), prompt);
            sampler.start(new RolloutSampler.TreeRequest(
                    prompt.getId(), prompt.getId(), tokenizer.encodePrompt(prompt.getText()), answerCheck(prompt),
                    config.seed() ^ prompt.getId().hashCode() * 0x9E3779B97F4A7C15L));
        }
    }

    @Override
    public void processElement2(StreamRecord<Assembled> element) throws Exception {
        policy.offer(element.getValue());
        if (sampler.activeTrees() == 0) {
            installPendingVersion(); // idle: no round to wait for
        }
    }

    /** Between rounds: a newer verified version, if one came, takes over from here on. */
    private void installPendingVersion() {
        if (policy.installPending()) {
            if (policy.lastSwapLatencyMs() >= 0) {
                metrics.swapped(policy.lastSwapLatencyMs(), policy.lastArrivalLatencyMs());
            }
            reportMetrics();
        }
    }

    private void reportMetrics() {
        lastMetricsMs = getProcessingTimeService().getCurrentProcessingTime();
        output.collect(METRICS, new StreamRecord<>(metrics.drain(
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), policy.version(), sampler.activeTrees(), System.currentTimeMillis())));
    }

    private void scheduleRound() {
        if (roundScheduled) {
            return;
        }
        roundScheduled = true;
        // One millisecond ahead, not "now": each round is its own mailbox action, so prompts, weights and
        // checkpoint barriers get in between rounds (and tests can step one round at a time).
        getProcessingTimeService().registerTimer(getProcessingTimeService().getCurrentProcessingTime() + 1, time -> {
            roundScheduled = false;
            runRound();
            if (sampler.activeTrees() > 0) {
                scheduleRound();
            }
        });
    }

    private void runRound() throws Exception {
        installPendingVersion();
        RoundResult result = sampler.round();
        for (SampledLeaf leaf : result.leaves()) {
            output.collect(new StreamRecord<>(LeafRecords.toRecord(leaf, inFlight.get(leaf.treeId()))));
        }
        for (String treeId : result.completedTrees()) {
            inFlight.remove(treeId);
            setCurrentKey(treeId);
            promptState.clear();
            treeState.clear();
        }
        startWaitingTrees();
        metrics.round(result);
        rounds++;
        if (failOnceAfterRounds >= 0 && rounds >= failOnceAfterRounds && checkpointCompleted && sampler.activeTrees() > 0
                && getRuntimeContext().getTaskInfo().getAttemptNumber() == 0) {
            throw new IllegalStateException("injected rollout failure (test hook) after round " + rounds + " with "
                    + sampler.activeTrees() + " trees growing");
        }
        if (getProcessingTimeService().getCurrentProcessingTime() - lastMetricsMs >= METRICS_EVERY_MS) {
            reportMetrics();
        }
    }

    private static AnswerCheck answerCheck(Prompt prompt) {
        Task task = Tasks.byName(prompt.getTask());
        return task::answerFound;
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        for (TreeState state : sampler.snapshot()) {
            setCurrentKey(state.treeId());
            treeState.update(InstantiationUtil.serializeObject(state));
        }
        weightsState.update(List.of(policy.currentWeights()));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        checkpointCompleted = true;
    }

    @Override
    public void close() throws Exception {
        if (policy != null) {
            policy.close();
        }
        if (tokenizer != null) {
            tokenizer.close();
        }
        super.close();
    }
}
