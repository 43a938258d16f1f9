package io.treepo.rollout.operator;

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
 */
public final class WeightsAssemblyFunction extends ProcessFunction<PolicyWeights, Assembled> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(WeightsAssemblyFunction.class);

    private transient WeightsAssembler assembler;
    private transient ListState<PolicyWeights> pendingState;
    private transient ListState<Long> newestState;
    private transient Map<WeightsAssembler.Outcome, Counter> outcomes;

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
    }

    @Override
    public void processElement(PolicyWeights chunk, Context ctx, Collector<Assembled> out) {
        WeightsAssembler.Result result = assembler.accept(chunk);
        outcomes.get(result.outcome()).inc();
        switch (result.outcome()) {
            case COMPLETE -> out.collect(result.weights());
            case INCONSISTENT, DIGEST_MISMATCH -> LOG.warn("refused weights: {}", result.detail());
            default -> { }
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        pendingState.update(assembler.pendingChunks());
        newestState.update(List.of(assembler.newestComplete()));
    }
}
