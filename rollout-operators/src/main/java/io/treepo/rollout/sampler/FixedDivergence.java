package io.treepo.rollout.sampler;

import java.util.Arrays;
import java.util.List;

/** The released code's default: {@code budget / A} each, the remainder to the last path. */
final class FixedDivergence implements DivergencePolicy {
    static final FixedDivergence INSTANCE = new FixedDivergence();

    private FixedDivergence() {}

    @Override
    public int[] split(int budget, List<PathStats> paths) {
        DivergencePolicy.checkBudget(budget, paths);
        int[] counts = new int[paths.size()];
        Arrays.fill(counts, budget / paths.size());
        counts[counts.length - 1] += budget % paths.size();
        return counts;
    }

    @Override
    public String toString() {
        return "fixed";
    }
}
