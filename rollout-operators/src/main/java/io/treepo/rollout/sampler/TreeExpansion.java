package io.treepo.rollout.sampler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** TreePO growth: first divergence, budgeted branching, and the quality-driven fallback. */
final class TreeExpansion implements Expansion {
    private final TreeConfig config;

    TreeExpansion(TreeConfig config) {
        this.config = config;
    }

    /** Honours a first-divergence range: drawn per tree, both ends included. */
    @Override
    public int[] start(PromptTree tree, SplittableRandom random) {
        int paths = random.nextInt(config.firstDivergenceMin(), config.firstDivergenceMax() + 1);
        return new int[paths];
    }

    @Override
    public int[] next(PromptTree tree, List<Integer> active, int finishedThisRound, SplittableRandom random) {
        if (!active.isEmpty()) {
            int budget = budget(config.width(), tree.leafCount(), finishedThisRound, active.size(), config.branch());
            List<PathStats> stats = active.stream().map(id -> stats(tree, id)).toList();
            return Expansion.repeat(active, config.divergence().split(budget, stats));
        }
        return tree.leafCount() < config.width() ? fallback(tree, random) : new int[0];
    }

    /**
     * TREEPO.md section 1, step 4: {@code max(min(W - F, (f + A) * branch), A)}. Paths that finished
     * this round ({@code f}) pass their share on to those that remain.
     *
     * @param finishedSoFar leaves of the tree so far, this round's included
     */
    static int budget(int width, int finishedSoFar, int finishedThisRound, int active, int branch) {
        return Math.max(Math.min(width - finishedSoFar, (finishedThisRound + active) * branch), active);
    }

    private static PathStats stats(PromptTree tree, int id) {
        List<SegmentNode> path = tree.path(id);
        double logProbSum = 0;
        int tokens = 0;
        for (SegmentNode s : path) {
            for (float lp : s.logProbs()) {
                logProbSum += lp;
            }
            tokens += s.logProbs().length;
        }
        return new PathStats(tokens == 0 ? 0 : logProbSum / tokens, path.get(path.size() - 1).meanEntropy());
    }

    /**
     * TREEPO.md section 1, step 5: qualifying leaves in random order (the bare prompt when there is
     * none), each cut at the fallback point and continued by {@code branch} copies, until the
     * missing leaves are covered. A later fallback round covers what this one could not.
     */
    private int[] fallback(PromptTree tree, SplittableRandom random) {
        List<Integer> candidates = new ArrayList<>();
        for (TreeState.LeafRef leaf : tree.leaves()) {
            if (config.fallbackCandidates().accepts(leaf.reason())) {
                candidates.add(leaf.nodeId());
            }
        }
        Collections.shuffle(candidates, new Random(random.nextLong()));
        int missing = config.width() - tree.leafCount();
        List<Integer> starts = new ArrayList<>();
        List<Integer> copies = new ArrayList<>();
        if (candidates.isEmpty()) {
            starts.add(0);
            copies.add(Math.min(config.branch(), missing));
        }
        for (int c = 0; c < candidates.size() && missing > 0; c++) {
            List<SegmentNode> path = tree.path(candidates.get(c));
            starts.add(tree.cutAt(path, config.fallbackPoint().choose(path, random)));
            int n = Math.min(config.branch(), missing);
            copies.add(n);
            missing -= n;
        }
        return Expansion.repeat(starts, IntStream.range(0, copies.size()).map(copies::get).toArray());
    }
}
