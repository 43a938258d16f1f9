package io.treepo.trainer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * TreePO's tree advantage (TREEPO.md section 3): for leaf {@code i} and each depth {@code d},
 * {@code A_i(d) = R_i - mean(R_j : j in G_d(i))}, where {@code G_d(i)} are the leaves sharing its first
 * {@code d} segments. Depth 0 (the whole group) always counts; deeper subgroups only when they hold
 * more than one leaf (a singleton's baseline is the leaf itself). The depths are combined, broadcast
 * over the leaf's tokens, and whitened over the batch.
 */
public final class TreeAdvantage implements AdvantageEstimator {

    /** How the per-depth advantages of a leaf are combined. */
    public enum Weighting {
        /** Plain mean over the counted depths. */
        AVERAGE,
        /** Mean weighted by subgroup size, so wide (more reliable) baselines count more. */
        GROUP_SIZE
    }

    private final Weighting weighting;

    TreeAdvantage(Weighting weighting) {
        this.weighting = weighting;
    }

    @Override
    public Advantages estimate(List<LeafGroup> groups) {
        List<List<float[]>> values = new ArrayList<>();
        List<float[]> batch = new ArrayList<>();
        for (LeafGroup group : groups) {
            double[] leafValues = leafValues(group, weighting);
            List<float[]> tokens = new ArrayList<>();
            for (int i = 0; i < leafValues.length; i++) {
                tokens.add(TokenBroadcast.leafWide(group.leaves().get(i), leafValues[i]));
            }
            values.add(tokens);
            batch.addAll(tokens);
        }
        TokenBroadcast.whiten(batch);
        return TokenBroadcast.allKept(groups, values);
    }

    /** The combined, not yet whitened, advantage of each leaf of the group: its tree-adjusted reward. */
    static double[] leafValues(LeafGroup group, Weighting weighting) {
        Map<List<Integer>, double[]> sumAndCount = new HashMap<>();
        for (GroupLeaf leaf : group.leaves()) {
            for (int d = 0; d <= leaf.nodePath().length; d++) {
                double[] s = sumAndCount.computeIfAbsent(prefix(leaf, d), k -> new double[2]);
                s[0] += leaf.reward();
                s[1] += 1;
            }
        }
        double[] out = new double[group.leaves().size()];
        for (int i = 0; i < out.length; i++) {
            GroupLeaf leaf = group.leaves().get(i);
            double weighted = 0;
            double weights = 0;
            for (int d = 0; d <= leaf.nodePath().length; d++) {
                double[] s = sumAndCount.get(prefix(leaf, d));
                if (d > 0 && s[1] < 2) {
                    continue;
                }
                double w = weighting == Weighting.AVERAGE ? 1 : s[1];
                weighted += w * (leaf.reward() - s[0] / s[1]);
                weights += w;
            }
            out[i] = weighted / weights;
        }
        return out;
    }

    /** The leaf's first {@code depth} node ids: the key of its depth-{@code depth} subgroup. */
    static List<Integer> prefix(GroupLeaf leaf, int depth) {
        List<Integer> key = new ArrayList<>(depth);
        for (int d = 0; d < depth; d++) {
            key.add(leaf.nodePath()[d]);
        }
        return key;
    }
}
