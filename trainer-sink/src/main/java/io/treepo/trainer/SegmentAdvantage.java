package io.treepo.trainer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TreePO's segment-level advantage (TREEPO.md section 3): node values bottom-up (a leaf's end node
 * holds its tree-adjusted reward, an inner node the mean of its children, the prompt 0); a segment's
 * advantage is {@code V(node) - V(parent)} over its tokens, whitened over the batch. A segment that
 * raised the subtree's expected outcome is credited, whichever leaf it ended in.
 */
final class SegmentAdvantage implements AdvantageEstimator {
    private final TreeAdvantage.Weighting weighting;

    SegmentAdvantage(TreeAdvantage.Weighting weighting) {
        this.weighting = weighting;
    }

    @Override
    public Advantages estimate(List<LeafGroup> groups) {
        List<List<float[]>> values = new ArrayList<>();
        List<float[]> batch = new ArrayList<>();
        for (LeafGroup group : groups) {
            NodeValues nodes = new NodeValues(group, TreeAdvantage.leafValues(group, weighting));
            List<float[]> tokens = new ArrayList<>();
            for (GroupLeaf leaf : group.leaves()) {
                double[] segments = new double[leaf.nodePath().length];
                for (int s = 0; s < segments.length; s++) {
                    double parent = s == 0 ? 0 : nodes.value(TreeAdvantage.prefix(leaf, s));
                    segments[s] = nodes.value(TreeAdvantage.prefix(leaf, s + 1)) - parent;
                }
                tokens.add(TokenBroadcast.perSegment(leaf, segments));
            }
            values.add(tokens);
            batch.addAll(tokens);
        }
        TokenBroadcast.whiten(batch);
        return TokenBroadcast.allKept(groups, values);
    }

    /** Values of a group's nodes, keyed by their path from the prompt. */
    private static final class NodeValues {
        private final Map<List<Integer>, Set<List<Integer>>> children = new HashMap<>();
        private final Map<List<Integer>, List<Double>> ending = new HashMap<>();
        private final Map<List<Integer>, Double> memo = new HashMap<>();

        NodeValues(LeafGroup group, double[] leafValues) {
            for (int i = 0; i < leafValues.length; i++) {
                GroupLeaf leaf = group.leaves().get(i);
                int depth = leaf.nodePath().length;
                for (int d = 1; d <= depth; d++) {
                    children.computeIfAbsent(TreeAdvantage.prefix(leaf, d - 1), k -> new LinkedHashSet<>())
                            .add(TreeAdvantage.prefix(leaf, d));
                }
                ending.computeIfAbsent(TreeAdvantage.prefix(leaf, depth), k -> new ArrayList<>()).add(leafValues[i]);
            }
        }

        /** Mean over the node's children and the leaves that end at it. */
        double value(List<Integer> node) {
            Double known = memo.get(node);
            if (known != null) {
                return known;
            }
            double sum = 0;
            int n = 0;
            for (List<Integer> child : children.getOrDefault(node, Set.of())) {
                sum += value(child);
                n++;
            }
            for (double v : ending.getOrDefault(node, List.of())) {
                sum += v;
                n++;
            }
            double v = sum / n;
            memo.put(node, v);
            return v;
        }
    }
}
