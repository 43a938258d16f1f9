package io.treepo.rollout.sampler;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** GRPO baseline: {@code width} paths from the shared prompt, each continued alone until it stops. */
final class IndependentExpansion implements Expansion {
    private final int width;

    IndependentExpansion(int width) {
        this.width = width;
    }

    @Override
    public int[] start(PromptTree tree, SplittableRandom random) {
        return new int[width];
    }

    @Override
    public int[] next(PromptTree tree, List<Integer> active, int finishedThisRound, SplittableRandom random) {
        int[] counts = new int[active.size()];
        Arrays.fill(counts, 1);
        return Expansion.repeat(active, counts);
    }
}
