package io.treepo.trainer;

/** The advantage estimators a run can choose by name (command line, job config). */
public enum Estimator {
    TREE_AVERAGE,
    TREE_GROUP_SIZE,
    SEGMENT,
    GRPO,
    /** Needs leaves with FR3E state keys: the fr3e sampler's. */
    FR3E;

    public AdvantageEstimator create() {
        return switch (this) {
            case TREE_AVERAGE -> AdvantageEstimator.tree(TreeAdvantage.Weighting.AVERAGE);
            case TREE_GROUP_SIZE -> AdvantageEstimator.tree(TreeAdvantage.Weighting.GROUP_SIZE);
            case SEGMENT -> AdvantageEstimator.segment(TreeAdvantage.Weighting.AVERAGE);
            case GRPO -> AdvantageEstimator.grpo();
            case FR3E -> AdvantageEstimator.fr3e();
        };
    }
}
