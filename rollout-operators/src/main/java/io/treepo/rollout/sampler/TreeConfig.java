package io.treepo.rollout.sampler;

import java.io.Serializable;

import io.treepo.policy.SamplingConfig;

/**
 * Everything that shapes a prompt's rollout (TREEPO.md sections 1 and 2). Immutable; build with
 * {@link #builder()}, whose defaults are the paper's settings scaled to a small CPU model:
 *
 * <pre>{@code
 * TreeConfig config = TreeConfig.builder()
 *         .segmentTokens(64).maxDepth(6).maxResponseTokens(384).width(16)
 *         .firstDivergence(2, 8)
 *         .divergence(DivergencePolicy.entropy(1.0))
 *         .build();
 * }</pre>
 *
 * @param kind tree, independent or FR3E sampling; the independent and FR3E samplers ignore the branching options
 * @param segmentTokens tokens decoded per node (paper: 512)
 * @param maxDepth segments on a path at most (paper: 14)
 * @param maxResponseTokens response length cap
 * @param width leaves per prompt (paper: 16)
 * @param firstDivergenceMin paths from the root, lower bound (drawn per tree, both ends included)
 * @param firstDivergenceMax paths from the root, upper bound
 * @param branch branching factor (paper: 2)
 * @param divergence how a round's budget is spread over the active paths
 * @param fallbackPoint where a fallback cuts a leaf
 * @param fallbackCandidates which leaves a fallback may cut
 * @param repetition the degenerate-segment rule
 * @param sampling how tokens are drawn
 * @param fr3eStates FR3E's K: states cut from the first-return trajectory besides the prompt; the
 *     width is shared evenly over the K + 1 states ({@link #fr3eRollouts()} each), so it must be a
 *     multiple of K + 1. Only the FR3E sampler reads it
 */
public record TreeConfig(
        SamplerKind kind,
        int segmentTokens,
        int maxDepth,
        int maxResponseTokens,
        int width,
        int firstDivergenceMin,
        int firstDivergenceMax,
        int branch,
        DivergencePolicy divergence,
        FallbackPoint fallbackPoint,
        FallbackCandidates fallbackCandidates,
        RepetitionRule repetition,
        SamplingConfig sampling,
        int fr3eStates) implements Serializable {

    public TreeConfig {
        require(kind != null, "kind is required");
        require(segmentTokens >= 1, "segmentTokens must be >= 1, got " + segmentTokens);
        require(maxDepth >= 1, "maxDepth must be >= 1, got " + maxDepth);
        require(maxResponseTokens >= 1, "maxResponseTokens must be >= 1, got " + maxResponseTokens);
        require(width >= 1, "width must be >= 1, got " + width);
        require(firstDivergenceMin >= 1, "firstDivergence must be >= 1, got " + firstDivergenceMin);
        require(firstDivergenceMin <= firstDivergenceMax,
                "firstDivergence range is empty: [" + firstDivergenceMin + ", " + firstDivergenceMax + "]");
        // A first divergence above the width would leave a tree with more paths than leaves to fill.
        require(firstDivergenceMax <= width,
                "firstDivergence upper bound " + firstDivergenceMax + " exceeds width " + width);
        require(branch >= 1, "branch must be >= 1, got " + branch);
        require(divergence != null, "divergence is required");
        require(fallbackPoint != null, "fallbackPoint is required");
        require(fallbackCandidates != null, "fallbackCandidates is required");
        require(repetition != null, "repetition is required");
        require(sampling != null, "sampling is required");
        require(fr3eStates >= 1, "fr3eStates must be >= 1, got " + fr3eStates);
        if (kind == SamplerKind.FR3E) {
            require(width % (fr3eStates + 1) == 0,
                    "width " + width + " must be a multiple of fr3eStates + 1 = " + (fr3eStates + 1) + " (rollouts per state)");
            // With one rollout a state's baseline is its own reward: every advantage would be 0.
            require(width / (fr3eStates + 1) >= 2,
                    "width " + width + " gives each of fr3eStates + 1 = " + (fr3eStates + 1) + " states fewer than 2 rollouts");
        }
    }

    /** FR3E's n: rollouts per state, the first-return trajectory counting as one of the prompt's. */
    public int fr3eRollouts() {
        return width / (fr3eStates + 1);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values. */
    public Builder toBuilder() {
        return new Builder()
                .kind(kind).segmentTokens(segmentTokens).maxDepth(maxDepth).maxResponseTokens(maxResponseTokens)
                .width(width).firstDivergence(firstDivergenceMin, firstDivergenceMax).branch(branch)
                .divergence(divergence).fallbackPoint(fallbackPoint).fallbackCandidates(fallbackCandidates)
                .repetition(repetition).sampling(sampling).fr3eStates(fr3eStates);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Defaults: the paper's shape (width 16, branch 2, first divergence 2) with CPU-sized segments. */
    public static final class Builder {
        private SamplerKind kind = SamplerKind.TREE;
        private int segmentTokens = 64;
        private int maxDepth = 8;
        private int maxResponseTokens = 512;
        private int width = 16;
        private int firstDivergenceMin = 2;
        private int firstDivergenceMax = 2;
        private int branch = 2;
        private DivergencePolicy divergence = DivergencePolicy.fixed();
        private FallbackPoint fallbackPoint = FallbackPoint.RANDOM_BOUNDARY;
        private FallbackCandidates fallbackCandidates = FallbackCandidates.GOOD_QUALITY;
        private RepetitionRule repetition = RepetitionRule.PAPER;
        private SamplingConfig sampling = SamplingConfig.standard();
        private int fr3eStates = 3;

        private Builder() {}

        public Builder kind(SamplerKind kind) { this.kind = kind; return this; }
        public Builder segmentTokens(int segmentTokens) { this.segmentTokens = segmentTokens; return this; }
        public Builder maxDepth(int maxDepth) { this.maxDepth = maxDepth; return this; }
        public Builder maxResponseTokens(int maxResponseTokens) { this.maxResponseTokens = maxResponseTokens; return this; }
        public Builder width(int width) { this.width = width; return this; }
        public Builder branch(int branch) { this.branch = branch; return this; }
        public Builder divergence(DivergencePolicy divergence) { this.divergence = divergence; return this; }
        public Builder fallbackPoint(FallbackPoint fallbackPoint) { this.fallbackPoint = fallbackPoint; return this; }
        public Builder fallbackCandidates(FallbackCandidates candidates) { this.fallbackCandidates = candidates; return this; }
        public Builder repetition(RepetitionRule repetition) { this.repetition = repetition; return this; }
        public Builder sampling(SamplingConfig sampling) { this.sampling = sampling; return this; }
        public Builder fr3eStates(int fr3eStates) { this.fr3eStates = fr3eStates; return this; }

        /** A fixed first divergence. */
        public Builder firstDivergence(int paths) {
            return firstDivergence(paths, paths);
        }

        /** A first divergence drawn per tree, uniformly from {@code [min, max]}. */
        public Builder firstDivergence(int min, int max) {
            this.firstDivergenceMin = min;
            this.firstDivergenceMax = max;
            return this;
        }

        public TreeConfig build() {
            return new TreeConfig(kind, segmentTokens, maxDepth, maxResponseTokens, width, firstDivergenceMin,
                    firstDivergenceMax, branch, divergence, fallbackPoint, fallbackCandidates, repetition, sampling, fr3eStates);
        }
    }
}
