package io.treepo.rollout.sampler;

import java.util.List;

/**
 * Weighted split: one base continuation per path, the rest of the budget shared by
 * {@code softmax(sign * (x_i - min x) / temperature)} and rounded by largest remainder (ties to the
 * earlier path), so the counts always sum to the budget.
 */
public record SoftmaxDivergence(Statistic statistic, Sign sign, double temperature) implements DivergencePolicy {

    /** Which per-path figure drives the split. */
    public enum Statistic {
        MEAN_LOG_PROB,
        LAST_SEGMENT_ENTROPY;

        double of(PathStats path) {
            return this == MEAN_LOG_PROB ? path.meanLogProb() : path.lastSegmentEntropy();
        }
    }

    /** {@code CONFIDENT}: larger figure, more branches ({@code +}); {@code UNCERTAIN}: the opposite ({@code -}). */
    public enum Sign {
        CONFIDENT(1),
        UNCERTAIN(-1);

        final int factor;

        Sign(int factor) {
            this.factor = factor;
        }
    }

    public SoftmaxDivergence {
        if (statistic == null) throw new IllegalArgumentException("divergence.statistic is required");
        if (sign == null) throw new IllegalArgumentException("divergence.sign is required");
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("divergence.temperature must be a positive number, got " + temperature);
        }
    }

    @Override
    public int[] split(int budget, List<PathStats> paths) {
        DivergencePolicy.checkBudget(budget, paths);
        int n = paths.size();
        double[] x = new double[n];
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            x[i] = statistic.of(paths.get(i));
            min = Math.min(min, x[i]);
        }
        // Shifting by the largest logit keeps exp() finite whatever the temperature.
        double[] logits = new double[n];
        double maxLogit = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            logits[i] = sign.factor * (x[i] - min) / temperature;
            maxLogit = Math.max(maxLogit, logits[i]);
        }
        double[] weights = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = Math.exp(logits[i] - maxLogit);
            sum += weights[i];
        }
        for (int i = 0; i < n; i++) {
            weights[i] /= sum;
        }
        int[] counts = LargestRemainder.split(budget - n, weights);
        for (int i = 0; i < n; i++) {
            counts[i] += 1;
        }
        return counts;
    }
}
