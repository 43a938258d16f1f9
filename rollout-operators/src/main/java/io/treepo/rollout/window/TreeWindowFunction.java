package io.treepo.rollout.window;

import io.treepo.schemas.Leaf;
import io.treepo.schemas.ScoredTree;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Gathers a tree's scored leaves, keyed by tree id, and emits one {@link ScoredTree} when the tree is
 * complete (as many leaves as the rollout said it produced) or when its timeout passes, whichever
 * comes first. A tree fires once: leaves that arrive after it fired are dropped and counted.
 */
public final class TreeWindowFunction extends KeyedProcessFunction<String, Leaf, ScoredTree> {
    private final Duration timeout;
    private final Duration closedMemory;

    private transient ListState<Leaf> leaves;
    private transient ValueState<Integer> expected;
    private transient ValueState<Long> deadline;
    private transient ValueState<Boolean> closed;
    private transient Counter complete;
    private transient Counter timedOut;
    private transient Counter late;

    /**
     * @param timeout how long after its first leaf a tree may wait for the rest
     * @param closedMemory how long a fired tree's id is remembered to drop its late leaves
     */
    public TreeWindowFunction(Duration timeout, Duration closedMemory) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("tree window timeout must be positive, got " + timeout);
        }
        this.timeout = timeout;
        this.closedMemory = closedMemory;
    }

    @Override
    public void open(OpenContext openContext) {
        leaves = getRuntimeContext().getListState(new ListStateDescriptor<>("leaves", Leaf.class));
        expected = getRuntimeContext().getState(new ValueStateDescriptor<>("expected-leaves", Integer.class));
        deadline = getRuntimeContext().getState(new ValueStateDescriptor<>("deadline", Long.class));
        ValueStateDescriptor<Boolean> closedDescriptor = new ValueStateDescriptor<>("closed", Boolean.class);
        closedDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(closedMemory).build());
        closed = getRuntimeContext().getState(closedDescriptor);
        var metrics = getRuntimeContext().getMetricGroup();
        complete = metrics.counter("treesComplete");
        timedOut = metrics.counter("treesTimedOut");
        late = metrics.counter("lateLeavesDropped");
    }

    @Override
    public void processElement(Leaf leaf, Context ctx, Collector<ScoredTree> out) throws Exception {
        if (Boolean.TRUE.equals(closed.value())) {
            late.inc();
            return;
        }
        leaves.add(leaf);
        if (leaf.getLeavesInTree() >= 0) {
            expected.update(leaf.getLeavesInTree());
        }
        if (deadline.value() == null) {
            long at = ctx.timerService().currentProcessingTime() + timeout.toMillis();
            ctx.timerService().registerProcessingTimeTimer(at);
            deadline.update(at);
        }
        Integer want = expected.value();
        if (want != null) {
            List<Leaf> all = collect();
            if (all.size() >= want) {
                ctx.timerService().deleteProcessingTimeTimer(deadline.value());
                fire(ctx.getCurrentKey(), all, true, ctx.timerService().currentProcessingTime(), out);
                complete.inc();
            }
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ScoredTree> out) throws Exception {
        List<Leaf> all = collect();
        if (!all.isEmpty()) {
            fire(ctx.getCurrentKey(), all, false, timestamp, out);
            timedOut.inc();
        }
    }

    /** A tree's scored leaves, in the order the tree finished them, as the trainer takes them. */
    public static ScoredTree scoredTree(String treeId, List<Leaf> leaves, boolean complete, long closedAtMs) {
        List<Leaf> ordered = new ArrayList<>(leaves);
        ordered.sort(Comparator.comparingInt(Leaf::getLeafIndex));
        Leaf first = ordered.get(0);
        return ScoredTree.newBuilder()
                .setTreeId(treeId)
                .setPromptId(first.getPromptId())
                .setTask(first.getTask())
                .setPromptTokens(first.getPromptTokens())
                .setLeaves(ordered)
                .setComplete(complete)
                .setClosedAtMs(closedAtMs)
                .build();
    }

    private List<Leaf> collect() throws Exception {
        List<Leaf> all = new ArrayList<>();
        leaves.get().forEach(all::add);
        return all;
    }

    private void fire(String treeId, List<Leaf> all, boolean isComplete, long now, Collector<ScoredTree> out) throws Exception {
        out.collect(scoredTree(treeId, all, isComplete, now));
        leaves.clear();
        expected.clear();
        deadline.clear();
        closed.update(true);
    }
}
