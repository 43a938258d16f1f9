package io.treepo.trainer;

import java.util.List;

/**
 * Turns scored leaves into per-token advantages (TREEPO.md section 3). Estimators that normalise over
 * the batch do so over exactly the groups given: filter zero-signal groups (see
 * {@link LeafGroup#hasSignal()}) before, not after, if they are to be left out.
 */
public interface AdvantageEstimator {

    Advantages estimate(List<LeafGroup> groups);

    /** TreePO's estimator: subtree baselines at every shared depth, then batch whitening. */
    static AdvantageEstimator tree(TreeAdvantage.Weighting weighting) {
        return new TreeAdvantage(weighting);
    }

    /** TreePO's segment-level variant: value differences along the path, then batch whitening. */
    static AdvantageEstimator segment(TreeAdvantage.Weighting weighting) {
        return new SegmentAdvantage(weighting);
    }

    /** GRPO: reward standardised within each prompt group. */
    static AdvantageEstimator grpo() {
        return new GrpoAdvantage(GrpoAdvantage.DEFAULT_EPS);
    }

    /** FR3E: per-state baselines scaled by how much the state changed the odds of success. */
    static AdvantageEstimator fr3e() {
        return new Fr3eAdvantage();
    }
}
