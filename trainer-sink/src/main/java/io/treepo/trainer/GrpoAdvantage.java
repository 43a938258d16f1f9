package io.treepo.trainer;

import java.util.ArrayList;
import java.util.List;

/**
 * GRPO's advantage: {@code (R_i - mean) / (std + eps)} within each prompt group, over every token of
 * the leaf. The standard deviation is the unbiased sample one ({@code n - 1}), as {@code torch.std}
 * computes it in the reference trainers; a group of one leaf gets 0.
 */
final class GrpoAdvantage implements AdvantageEstimator {
    static final double DEFAULT_EPS = 1e-6;

    private final double eps;

    GrpoAdvantage(double eps) {
        this.eps = eps;
    }

    @Override
    public Advantages estimate(List<LeafGroup> groups) {
        List<List<float[]>> values = new ArrayList<>();
        for (LeafGroup group : groups) {
            int n = group.leaves().size();
            double mean = group.meanReward();
            double squares = 0;
            for (GroupLeaf leaf : group.leaves()) {
                squares += (leaf.reward() - mean) * (leaf.reward() - mean);
            }
            double std = n > 1 ? Math.sqrt(squares / (n - 1)) : 0;
            List<float[]> tokens = new ArrayList<>();
            for (GroupLeaf leaf : group.leaves()) {
                tokens.add(TokenBroadcast.leafWide(leaf, (leaf.reward() - mean) / (std + eps)));
            }
            values.add(tokens);
        }
        return TokenBroadcast.allKept(groups, values);
    }
}
