package io.treepo.rollout.sampler;

import java.util.List;

/**
 * What one round produced: leaves to emit now, the trees that are complete (their caches released),
 * and the round's compute.
 */
public record RoundResult(List<SampledLeaf> leaves, List<String> completedTrees, SamplerStats stats) {
    public RoundResult {
        leaves = List.copyOf(leaves);
        completedTrees = List.copyOf(completedTrees);
    }
}
