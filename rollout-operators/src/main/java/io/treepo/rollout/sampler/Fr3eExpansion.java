package io.treepo.rollout.sampler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * FR3E growth (TREEPO.md section 3): one first-return trajectory from the prompt, decoded segment by
 * segment like any path; once it finishes, {@code n} rollouts from each state, all started in the
 * same round and each continued alone. States are {@code S_0}, the prompt, and {@code S_1..S_K}, the
 * trajectory cut just before its K most uncertain tokens, in the order of their positions: so every
 * {@code S_{j-1}} is a prefix of {@code S_j}, and {@code dV_j = V(S_j) - V(S_{j-1})} is the change
 * of value from one point of the path to the next. A cut is a fallback-style cut node, so the
 * rollouts of a state share its prefix, cached once.
 *
 * <p>The first-return trajectory is itself a sample from the prompt: it is the first leaf and counts
 * as one of {@code S_0}'s rollouts (trained like them), so {@code S_0} gets {@code n - 1} more. A
 * trajectory with fewer than {@code K + 1} tokens gives fewer states, and its tree fewer leaves.
 *
 * <p>Everything is derived from the tree's nodes and leaves, nothing is held here, so a restored
 * tree carries on the same way.
 */
final class Fr3eExpansion implements Expansion {
    private final int states;
    private final int rollouts;

    Fr3eExpansion(TreeConfig config) {
        this.states = config.fr3eStates();
        this.rollouts = config.fr3eRollouts();
    }

    /** The first-return trajectory alone. */
    @Override
    public int[] start(PromptTree tree, SplittableRandom random) {
        return new int[1];
    }

    @Override
    public int[] next(PromptTree tree, List<Integer> active, int finishedThisRound, SplittableRandom random) {
        if (!active.isEmpty()) {
            int[] once = new int[active.size()];
            Arrays.fill(once, 1);
            return Expansion.repeat(active, once);
        }
        // Only the trajectory runs until it finishes, so a tree with one leaf and nothing active has just
        // finished it; with more leaves every rollout is done.
        if (tree.leafCount() != 1) {
            return new int[0];
        }
        List<SegmentNode> trajectory = trajectory(tree);
        List<Integer> starts = new ArrayList<>(List.of(0));
        List<Integer> counts = new ArrayList<>(List.of(rollouts - 1));
        for (FallbackPoint.Cut cut : stateCuts(trajectory, states)) {
            starts.add(tree.cutAt(trajectory, cut));
            counts.add(rollouts);
        }
        return Expansion.repeat(starts, counts.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * The state a path finishing now was sampled from: 0 for the first-return trajectory and for the
     * prompt's rollouts, {@code j} for a rollout from {@code S_j}. A rollout's state is where it left
     * the trajectory: its deepest ancestor that is a trajectory node or a state's cut node.
     */
    @Override
    public int state(PromptTree tree, int nodeId) {
        if (tree.leafCount() == 0) {
            return 0; // the first-return trajectory itself
        }
        List<SegmentNode> trajectory = trajectory(tree);
        boolean[] onTrajectory = new boolean[nodeId + 1];
        trajectory.stream().mapToInt(SegmentNode::id).filter(id -> id <= nodeId).forEach(id -> onTrajectory[id] = true);
        int branch = nodeId;
        while (branch != 0 && !onTrajectory[branch] && !tree.node(branch).cut()) {
            branch = tree.node(branch).parentId();
        }
        int offset = tree.node(branch).responseLength();
        if (offset == 0) {
            return 0;
        }
        List<FallbackPoint.Cut> cuts = stateCuts(trajectory, states);
        for (int j = 0; j < cuts.size(); j++) {
            if (offset(trajectory, cuts.get(j)) == offset) {
                return j + 1;
            }
        }
        throw new IllegalStateException("tree " + tree.treeId + ": node " + nodeId + " left the first-return trajectory at token "
                + offset + ", which is no state");
    }

    private static List<SegmentNode> trajectory(PromptTree tree) {
        return tree.path(tree.leaves().get(0).nodeId());
    }

    /**
     * Cuts just before the {@code k} highest-entropy tokens of {@code path}, ordered by position (ties
     * to the earlier token). The first token is no candidate: a cut before it is the prompt, {@code S_0}.
     */
    static List<FallbackPoint.Cut> stateCuts(List<SegmentNode> path, int k) {
        List<FallbackPoint.Cut> tokens = new ArrayList<>();
        List<Float> entropies = new ArrayList<>();
        for (int s = 0; s < path.size(); s++) {
            float[] e = path.get(s).entropies();
            for (int t = 0; t < e.length; t++) {
                tokens.add(new FallbackPoint.Cut(s, t));
                entropies.add(e[t]);
            }
        }
        return IntStream.range(1, tokens.size()).boxed()
                .sorted(Comparator.comparing((Integer i) -> entropies.get(i)).reversed().thenComparing(Comparator.naturalOrder()))
                .limit(k)
                .sorted()
                .map(tokens::get)
                .toList();
    }

    /** Response tokens before the cut: the length of the state's prefix. */
    private static int offset(List<SegmentNode> path, FallbackPoint.Cut cut) {
        SegmentNode segment = path.get(cut.segment());
        return segment.responseLength() - segment.tokens().length + cut.tokens();
    }
}
