package io.treepo.rollout.sampler;

import java.io.Serializable;

/**
 * One node of a prompt's tree as plain data: what a checkpoint holds and what leaves carry. Node 0 is
 * the prompt (no segment); every other node is a sampled segment, or a fallback cut of one.
 *
 * @param id id within the tree, assigned in creation order
 * @param parentId the parent's id; -1 for the prompt
 * @param depth segment level: the prompt is 0, a child of a complete segment one deeper
 * @param levelTokens tokens of this level up to and including this node; a cut node and the
 *     continuation that completes its level share one level, so a cut never deepens the tree
 * @param cut true for a fallback cut: the first tokens of a sampled segment, the rest of whose level
 *     is still to be decoded
 * @param responseLength response tokens from the first segment to this node's last
 * @param logProbs behaviour log-prob of each token (empty for the prompt)
 * @param entropies sampling-distribution entropy at each token (empty for the prompt)
 * @param policyVersion version that sampled the tokens (-1 for the prompt)
 */
public record SegmentNode(
        int id,
        int parentId,
        int depth,
        int levelTokens,
        boolean cut,
        int responseLength,
        int[] tokens,
        float[] logProbs,
        float[] entropies,
        long policyVersion)
        implements Serializable {

    public SegmentNode {
        // The prompt node has tokens but no sampled figures; every other node has one per token.
        if ((id != 0 && tokens.length != logProbs.length) || logProbs.length != entropies.length) {
            throw new IllegalArgumentException("node " + id + ": tokens, logProbs and entropies differ in length");
        }
    }

    static SegmentNode prompt(int[] promptTokens) {
        return new SegmentNode(0, -1, 0, 0, false, 0, promptTokens.clone(), new float[0], new float[0], -1);
    }

    public boolean isPrompt() {
        return id == 0;
    }

    public double meanLogProb() {
        return mean(logProbs);
    }

    public double meanEntropy() {
        return mean(entropies);
    }

    private static double mean(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return values.length == 0 ? 0 : sum / values.length;
    }
}
