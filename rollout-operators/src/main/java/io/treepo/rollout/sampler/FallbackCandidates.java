package io.treepo.rollout.sampler;

import io.treepo.schemas.FinishReason;
import java.util.EnumSet;
import java.util.Set;

/** Which finished leaves a fallback may cut and continue from (TREEPO.md section 1, step 5). */
public enum FallbackCandidates {
    /** The paper's choice: leaves that ended on their own (FINISHED or EOS). */
    GOOD_QUALITY(EnumSet.of(FinishReason.FINISHED, FinishReason.EOS)),
    /** Only leaves that gave an answer. */
    ANSWERED(EnumSet.of(FinishReason.FINISHED)),
    /** Any leaf, degenerate ones included. */
    ANY(EnumSet.allOf(FinishReason.class));

    private final Set<FinishReason> reasons;

    FallbackCandidates(Set<FinishReason> reasons) {
        this.reasons = reasons;
    }

    public boolean accepts(FinishReason reason) {
        return reasons.contains(reason);
    }
}
