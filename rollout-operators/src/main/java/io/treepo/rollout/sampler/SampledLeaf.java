package io.treepo.rollout.sampler;

import io.treepo.schemas.FinishReason;
import java.util.List;
import java.util.function.Function;

/**
 * A finished root-to-leaf path, handed out the round it finishes.
 *
 * @param leafIndex 0-based order in which the tree finished this leaf
 * @param leavesInTree the tree's total leaves on its last leaf, -1 on the others
 * @param nodePath ids of the path's nodes within the tree, first segment to last (prompt excluded):
 *     leaves that share a prefix of it share those segments, which is what tree advantages group by
 * @param segments the path's segments, each with its tokens, behaviour log-probs, entropies and version
 * @param fr3eState FR3E only: the state {@code S_j} the leaf was sampled from (0 is the prompt; the
 *     tree is the first-return trajectory); -1 for the other samplers
 */
public record SampledLeaf(
        String treeId,
        String promptId,
        int leafIndex,
        int leavesInTree,
        int[] promptTokens,
        int[] nodePath,
        List<SegmentNode> segments,
        FinishReason finishReason,
        SamplerKind sampler,
        int fr3eState) {

    public SampledLeaf {
        segments = List.copyOf(segments);
    }

    public int responseLength() {
        return segments.stream().mapToInt(s -> s.tokens().length).sum();
    }

    /** The response tokens, all segments concatenated. */
    public int[] responseTokens() {
        int[] out = new int[responseLength()];
        int at = 0;
        for (SegmentNode s : segments) {
            System.arraycopy(s.tokens(), 0, out, at, s.tokens().length);
            at += s.tokens().length;
        }
        return out;
    }

    /** Behaviour log-prob of every response token. */
    public float[] logProbs() {
        return concat(SegmentNode::logProbs);
    }

    /** Sampling entropy at every response token. */
    public float[] entropies() {
        return concat(SegmentNode::entropies);
    }

    /** The oldest policy version among the segments: what a staleness bound looks at. */
    public long oldestPolicyVersion() {
        return segments.stream().mapToLong(SegmentNode::policyVersion).min().orElseThrow();
    }

    SampledLeaf withLeavesInTree(int total) {
        return new SampledLeaf(treeId, promptId, leafIndex, total, promptTokens, nodePath, segments, finishReason, sampler, fr3eState);
    }

    private float[] concat(Function<SegmentNode, float[]> field) {
        float[] out = new float[responseLength()];
        int at = 0;
        for (SegmentNode s : segments) {
            float[] values = field.apply(s);
            System.arraycopy(values, 0, out, at, values.length);
            at += values.length;
        }
        return out;
    }
}
