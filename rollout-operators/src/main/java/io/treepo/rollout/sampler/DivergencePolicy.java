package io.treepo.rollout.sampler;

import java.io.Serializable;

import java.util.List;

/**
 * Spreads a tree's branch budget over its active paths (TREEPO.md section 1, step 4). Every path
 * gets at least one continuation, and the counts sum to the budget.
 */
public interface DivergencePolicy extends Serializable {

    /**
     * @param budget total continuations, at least {@code paths.size()}
     * @return continuations per path, in {@code paths} order
     */
    int[] split(int budget, List<PathStats> paths);

    /** Even split, remainder to the last path. */
    static DivergencePolicy fixed() {
        return FixedDivergence.INSTANCE;
    }

    /**
     * Probability-driven: weights {@code softmax(sign * (L_i - min L) / temperature)} over each path's
     * mean log-prob; {@code CONFIDENT} spends more on confident paths, {@code UNCERTAIN} on uncertain ones.
     */
    static DivergencePolicy logProb(SoftmaxDivergence.Sign sign, double temperature) {
        return new SoftmaxDivergence(SoftmaxDivergence.Statistic.MEAN_LOG_PROB, sign, temperature);
    }

    /** FR3E-style: more branches where the last segment's mean token entropy is high. */
    static DivergencePolicy entropy(double temperature) {
        return new SoftmaxDivergence(
                SoftmaxDivergence.Statistic.LAST_SEGMENT_ENTROPY, SoftmaxDivergence.Sign.CONFIDENT, temperature);
    }

    static void checkBudget(int budget, List<PathStats> paths) {
        if (paths.isEmpty() || budget < paths.size()) {
            throw new IllegalArgumentException("budget " + budget + " cannot give every one of " + paths.size() + " paths a branch");
        }
    }
}
