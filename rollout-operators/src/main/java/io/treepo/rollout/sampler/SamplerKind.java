package io.treepo.rollout.sampler;

/** Which rollout the sampler runs: the one switch between TreePO and its GRPO baseline. */
public enum SamplerKind {
    /** TreePO: segments branch, finished branches hand their budget on, fallback tops a tree up. */
    TREE,
    /** GRPO baseline: {@code width} independent samples from one shared prompt prefill. */
    INDEPENDENT;

    /** The lower-case name leaves carry in their {@code sampler} field. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
