package io.treepo.rollout.sampler;

import io.treepo.schemas.FinishReason;
import java.io.Serializable;
import java.util.List;

/**
 * A tree in flight as a plain value: tokens and numbers only, no tensors and no {@code PrefixNode}s.
 * The rollout operator checkpoints it; {@link RolloutSampler#resume} rebuilds the prefix nodes from
 * the tokens (the decoder then recomputes their KV state, counted as recompute) and carries on
 * without decoding any finished segment again.
 *
 * @param nodes every node so far, index = id, the prompt first
 * @param frontier node ids to extend next round, one entry per continuation
 * @param leaves the leaves finished so far, in finishing order (all already handed out)
 * @param round rounds completed; with {@code seed} it fixes the tree's random choices
 */
public record TreeState(
        String treeId, String promptId, long seed, int round, List<SegmentNode> nodes, int[] frontier, List<LeafRef> leaves)
        implements Serializable {

    public TreeState {
        nodes = List.copyOf(nodes);
        leaves = List.copyOf(leaves);
        frontier = frontier.clone();
        if (nodes.isEmpty() || !nodes.get(0).isPrompt()) {
            throw new IllegalArgumentException("tree " + treeId + ": state must start with the prompt node");
        }
        for (int id : frontier) {
            if (id < 0 || id >= nodes.size()) {
                throw new IllegalArgumentException("tree " + treeId + ": frontier node " + id + " does not exist");
            }
        }
    }

    /** A finished leaf: its last node and why it stopped. */
    public record LeafRef(int nodeId, FinishReason reason) implements Serializable {}
}
