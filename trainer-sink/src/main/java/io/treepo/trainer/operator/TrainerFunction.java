package io.treepo.trainer.operator;

import io.treepo.policy.EncodedWeights;
import io.treepo.policy.ModelConfig;
import io.treepo.policy.PolicyTrainer;
import io.treepo.policy.Tokenizer;
import io.treepo.schemas.LedgerEntry;
import io.treepo.schemas.MetricsRecord;
import io.treepo.schemas.PolicyWeights;
import io.treepo.schemas.ScoredTree;
import io.treepo.schemas.weights.PolicyVersions;
import io.treepo.schemas.weights.WeightsAssembler.Assembled;
import io.treepo.schemas.weights.WeightsChunks;
import io.treepo.schemas.weights.WeightsStore;
import io.treepo.trainer.PolicyUpdater;
import io.treepo.trainer.UpdateReport;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The learner: gathers scored trees into a batch, runs one RL step per batch, and emits the new
 * policy version as weight chunks (for the weights topic) plus a metrics record per step (side
 * output). Runs with parallelism 1. Its checkpointed state is the model with the optimiser state,
 * the version counter and the trees of the batch not trained yet, so a restore neither loses nor
 * repeats a step. A step whose loss or gradient is not finite changes nothing and publishes nothing.
 *
 * <p>Every batch also goes to the {@link #LEDGER} side output: the prompt ids it trained and the
 * version it made. Written by an exactly-once sink, the ledger shows what the model's lineage holds
 * (a batch trained after the last checkpoint and lost with a failure is not in it; its replay is).
 * The first entry after a restore carries the digest of the restored state next to the digest of
 * the state the trainer then holds: equal when model and optimiser came back exactly.
 */
public final class TrainerFunction extends ProcessFunction<ScoredTree, PolicyWeights> implements CheckpointedFunction, CheckpointListener {
    private static final long serialVersionUID = 1L;

    /** Side output: one record per step. */
    public static final OutputTag<MetricsRecord> METRICS = new OutputTag<>("trainer-metrics") {};
    /** Side output: one entry per batch, for the exactly-once ledger topic. */
    public static final OutputTag<LedgerEntry> LEDGER = new OutputTag<>("trainer-ledger") {};

    private final TrainerSettings settings;
    /** Test hook, -1 when off: see {@link #failingOnceAfter}. */
    private final long failOnceAfterUpdates;

    private transient ListState<byte[]> modelState;
    private transient ListState<ScoredTree> batchState;
    private transient ListState<Long> versionState;
    private transient byte[] restoredModel;
    private transient PolicyTrainer policy;
    private transient PolicyUpdater updater;
    private transient List<ScoredTree> batch;
    private transient long version;
    private transient TrainerMetrics.Step last;
    private transient Counter stepsApplied;
    private transient Counter stepsSkipped;
    private transient Counter leavesStale;
    private transient Counter treesZeroSignal;
    private transient Counter treesIncomplete;
    private transient long updates;
    private transient boolean checkpointCompleted;
    private transient LedgerEntry.Builder restoreNote;

    public TrainerFunction(TrainerSettings settings) {
        this(settings, -1);
    }

    private TrainerFunction(TrainerSettings settings, long failOnceAfterUpdates) {
        this.settings = settings;
        this.failOnceAfterUpdates = failOnceAfterUpdates;
    }

    /**
     * Fault injection for the reliability tests: the trainer throws once, mid-batch (a tree added to a
     * batch not trained yet), at the first chance after {@code updates} updates and a completed
     * checkpoint, so the job restarts from that checkpoint. Only in the job's first execution attempt
     * (a restarted task has a higher attempt number), so it fails once per job run.
     */
    public static TrainerFunction failingOnceAfter(TrainerSettings settings, long updates) {
        if (updates < 0) throw new IllegalArgumentException("updates must be >= 0, got " + updates);
        return new TrainerFunction(settings, updates);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        var store = context.getOperatorStateStore();
        modelState = store.getListState(new ListStateDescriptor<>("model-and-optimizer", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        batchState = store.getListState(new ListStateDescriptor<>("batch", ScoredTree.class));
        versionState = store.getListState(new ListStateDescriptor<>("version", Types.LONG));
        batch = new ArrayList<>();
        batchState.get().forEach(batch::add);
        version = 0;
        for (Long v : versionState.get()) {
            version = Math.max(version, v);
        }
        for (byte[] bytes : modelState.get()) {
            restoredModel = bytes;
        }
        if (restoredModel != null && context.getRestoredCheckpointId().isPresent()) {
            restoreNote = LedgerEntry.newBuilder()
                    .setRestoredCheckpoint(context.getRestoredCheckpointId().getAsLong())
                    .setStateDigestAtCheckpoint(WeightsChunks.sha256(restoredModel));
        }
    }

    @Override
    public void open(OpenContext openContext) {
        Assembled initial = PolicyVersions.fromBytes(settings.initialWeights());
        EncodedWeights weights = new EncodedWeights(ModelConfig.fromJson(initial.modelConfig()), WeightsStore.payload(initial), initial.sha256());
        try (Tokenizer tokenizer = Tokenizer.forFiles(settings.tokenizer())) {
            policy = PolicyTrainer.create(weights, settings.optimizer(), tokenizer, settings.device());
        }
        if (restoredModel != null) {
            policy.restore(restoredModel);
            restoredModel = null;
            if (restoreNote != null) {
                restoreNote.setStateDigestAfterRestore(WeightsChunks.sha256(policy.snapshot()));
            }
        }
        updater = new PolicyUpdater(settings.updateConfig(), policy);
        var group = getRuntimeContext().getMetricGroup();
        stepsApplied = group.counter("stepsApplied");
        stepsSkipped = group.counter("stepsSkipped");
        leavesStale = group.counter("leavesDroppedStale");
        treesZeroSignal = group.counter("treesZeroSignal");
        treesIncomplete = group.counter("treesIncomplete");
        group.gauge("policyVersion", (Gauge<Long>) () -> version);
        group.gauge("batchTrees", (Gauge<Integer>) () -> batch.size());
        group.gauge("loss", (Gauge<Double>) () -> last == null ? Double.NaN : last.loss());
        group.gauge("rewardMean", (Gauge<Double>) () -> last == null ? Double.NaN : last.rewardMean());
        group.gauge("accuracy", (Gauge<Double>) () -> last == null ? Double.NaN : last.accuracy());
        group.gauge("clipFraction", (Gauge<Double>) () -> last == null ? Double.NaN : last.clipFraction());
        group.gauge("entropy", (Gauge<Double>) () -> last == null ? Double.NaN : last.entropy());
        group.gauge("staleness", (Gauge<Long>) () -> last == null ? 0L : last.staleness());
    }

    @Override
    public void processElement(ScoredTree tree, Context ctx, Collector<PolicyWeights> out) {
        if (!tree.getComplete()) {
            treesIncomplete.inc();
        }
        batch.add(tree);
        if (failOnceAfterUpdates >= 0 && updates >= failOnceAfterUpdates && checkpointCompleted
                && getRuntimeContext().getTaskInfo().getAttemptNumber() == 0) {
            throw new IllegalStateException("injected trainer failure (test hook) after " + updates + " updates, "
                    + batch.size() + " trees into the next batch");
        }
        if (batch.size() < settings.treesPerStep()) {
            return;
        }
        List<ScoredTree> trees = batch;
        batch = new ArrayList<>();
        UpdateReport report = updater.update(trees, version);
        boolean applied = report.steps().stream().anyMatch(step -> !step.skipped());
        stepsApplied.inc(report.steps().stream().filter(step -> !step.skipped()).count());
        stepsSkipped.inc(report.steps().stream().filter(step -> step.skipped()).count());
        treesZeroSignal.inc(report.zeroSignalGroups().size());
        leavesStale.inc(report.leavesStale());
        if (applied) {
            version++;
            EncodedWeights weights = policy.weights();
            for (PolicyWeights chunk : settings.publish(version, policy.steps(), weights.config().toJson(), weights.payload(),
                    System.currentTimeMillis())) {
                out.collect(chunk);
            }
        }
        updates++;
        last = TrainerMetrics.step(trees, report, version, policy.steps(), applied);
        long now = System.currentTimeMillis();
        ctx.output(METRICS, TrainerMetrics.record(last, now));
        ctx.output(LEDGER, ledgerEntry(trees, report, applied, now));
    }

    private LedgerEntry ledgerEntry(List<ScoredTree> trees, UpdateReport report, boolean applied, long now) {
        LedgerEntry.Builder entry = restoreNote != null ? restoreNote : LedgerEntry.newBuilder();
        restoreNote = null;
        return entry.setVersion(version)
                .setStep(policy.steps())
                .setApplied(applied)
                .setPromptIds(trees.stream().map(ScoredTree::getPromptId).toList())
                .setLeavesTrained(report.leavesTrained())
                .setLeavesStale(report.leavesStale())
                .setStepsSkipped((int) report.steps().stream().filter(step -> step.skipped()).count())
                .setTimestampMs(now)
                .build();
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        checkpointCompleted = true;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        modelState.update(List.of(policy.snapshot()));
        batchState.update(batch);
        versionState.update(List.of(version));
    }

    @Override
    public void close() {
        if (policy != null) {
            policy.close();
        }
    }
}
