package io.treepo.rollout.operator;

import io.treepo.policy.ModelConfig;
import io.treepo.schemas.PolicyWeights;
import io.treepo.schemas.weights.WeightsAssembler;
import io.treepo.schemas.weights.WeightsAssembler.Assembled;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the weights topic's chunks into whole, verified policy versions for the rollout's broadcast.
 * Old, duplicate, inconsistent and corrupt versions are refused and counted (by outcome). Runs with
 * parallelism 1; chunks of versions still incomplete are checkpointed.
 *
 * <p>Chunks whose model config does not fit the running model are refused here, before assembly
 * (counted as {@code weightChunks_CONFIG_MISFIT}): a misfit version with a high number must not
 * become the newest complete version, or every later good version would look old.
 */
public final class WeightsAssemblyFunction extends ProcessFunction<PolicyWeights, Assembled> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(WeightsAssemblyFunction.class);

    /** The model every version must fit (as JSON: the record is not serialisable), or null to leave the check to the rollout. */
    private final String modelJson;
    private transient ModelConfig model;

    private transient WeightsAssembler assembler;
    private transient ListState<PolicyWeights> pendingState;
    private transient ListState<Long> newestState;
    private transient Map<WeightsAssembler.Outcome, Counter> outcomes;
    private transient Counter misfits;
    private transient long lastMisfitLogged;

    public WeightsAssemblyFunction() {
        this(null);
    }

    /** @param model the running model's config: versions of another shape are refused before assembly */
    public WeightsAssemblyFunction(ModelConfig model) {
        this.modelJson = model == null ? null : model.toJson();
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        pendingState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("pending-chunks", PolicyWeights.class));
        newestState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("newest-version", Types.LONG));
        long newest = -1;
        for (Long v : newestState.get()) {
            newest = Math.max(newest, v);
        }
        assembler = new WeightsAssembler(newest);
        for (PolicyWeights chunk : pendingState.get()) {
            assembler.accept(chunk);
        }
    }

    @Override
    public void open(OpenContext openContext) {
        outcomes = new EnumMap<>(WeightsAssembler.Outcome.class);
        for (WeightsAssembler.Outcome outcome : WeightsAssembler.Outcome.values()) {
            outcomes.put(outcome, getRuntimeContext().getMetricGroup().counter("weightChunks_" + outcome.name()));
        }
        model = modelJson == null ? null : ModelConfig.fromJson(modelJson);
        misfits = getRuntimeContext().getMetricGroup().counter("weightChunks_CONFIG_MISFIT");
        getRuntimeContext().getMetricGroup().gauge("weightVersionsRepublished", (Gauge<Long>) () -> assembler.republished());
    }

    @Override
    public void processElement(PolicyWeights chunk, Context ctx, Collector<Assembled> out) {
        String misfit = misfit(chunk);
        if (misfit != null) {
            misfits.inc();
            if (lastMisfitLogged != chunk.getVersion()) {
                lastMisfitLogged = chunk.getVersion();
                LOG.warn("refused weights version {}: {}", chunk.getVersion(), misfit);
            }
            return;
        }
        WeightsAssembler.Result result = assembler.accept(chunk);
        outcomes.get(result.outcome()).inc();
        switch (result.outcome()) {
            case COMPLETE -> out.collect(result.weights());
            case INCONSISTENT, DIGEST_MISMATCH -> LOG.warn("refused weights: {}", result.detail());
            default -> { }
        }
    }

    /** @return why the chunk's model config does not fit the running model, or null when it does */
    private String misfit(PolicyWeights chunk) {
        if (model == null) {
            return null;
        }
        try {
            ModelConfig theirs = ModelConfig.fromJson(chunk.getModelConfig());
            return model.equals(theirs) ? null : "model config does not fit the running model: " + model.differences(theirs);
        } catch (IllegalArgumentException e) {
            return "unreadable model config: " + e.getMessage();
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        pendingState.update(assembler.pendingChunks());
        newestState.update(List.of(assembler.newestComplete()));
    }
}
