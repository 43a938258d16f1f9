package io.treepo.rollout.sampler;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** How a tree grows between rounds: the one place tree, independent and FR3E sampling differ. */
interface Expansion {

    /** The first round's continuations (node ids, the prompt is 0). */
    int[] start(PromptTree tree, SplittableRandom random);

    /**
     * The next round's continuations, after this round's paths were classified.
     *
     * @param active ids of the paths still going, in decode order
     * @param finishedThisRound paths of this tree that finished this round
     * @return empty when the tree is complete
     */
    int[] next(PromptTree tree, List<Integer> active, int finishedThisRound, SplittableRandom random);

    /**
     * FR3E's state index of the path ending at {@code nodeId}, asked as it finishes (before it is
     * recorded as a leaf); -1 for samplers without states.
     */
    default int state(PromptTree tree, int nodeId) {
        return -1;
    }

    static Expansion of(TreeConfig config) {
        return switch (config.kind()) {
            case TREE -> new TreeExpansion(config);
            case INDEPENDENT -> new IndependentExpansion(config.width());
            case FR3E -> new Fr3eExpansion(config);
        };
    }

    /** Each id repeated {@code counts[i]} times. */
    static int[] repeat(List<Integer> ids, int[] counts) {
        int[] out = new int[Arrays.stream(counts).sum()];
        int at = 0;
        for (int i = 0; i < ids.size(); i++) {
            for (int c = 0; c < counts[i]; c++) {
                out[at++] = ids.get(i);
            }
        }
        return out;
    }
}
