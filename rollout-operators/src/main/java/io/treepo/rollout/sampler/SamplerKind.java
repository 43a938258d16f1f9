package io.treepo.rollout.sampler;

/** Which rollout the sampler runs: the one switch between TreePO, its GRPO baseline and FR3E. */
public enum SamplerKind {
    /** TreePO: segments branch, finished branches hand their budget on, fallback tops a tree up. */
    TREE,
    /** GRPO baseline: {@code width} independent samples from one shared prompt prefill. */
    INDEPENDENT,
    /**
     * FR3E: one first-return trajectory per prompt, then rollouts from the prompt and from just
     * before each of its most uncertain tokens (TREEPO.md section 3); leaves carry their state.
     */
    FR3E;

    /** The lower-case name leaves carry in their {@code sampler} field. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
