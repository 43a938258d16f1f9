package io.treepo.trainer;

/**
 * How a batch of scored trees becomes policy updates.
 *
 * @param estimator advantage estimator (FR3E needs state keys, which trees do not carry)
 * @param ppo the loss's settings
 * @param staleness leaves whose oldest segment is older than this many versions are dropped
 * @param dropZeroSignal leave out groups whose rewards all agree (they give zero advantage but
 *     would still dilute the token mean and the whitening)
 * @param miniBatchLeaves leaves per optimiser step (each PPO epoch steps through the whole batch)
 */
public record UpdateConfig(
        AdvantageEstimator estimator, PpoConfig ppo, StalenessFilter staleness, boolean dropZeroSignal, int miniBatchLeaves) {

    public UpdateConfig {
        if (estimator == null) throw new IllegalArgumentException("estimator is required");
        if (ppo == null) throw new IllegalArgumentException("ppo is required");
        if (staleness == null) throw new IllegalArgumentException("staleness is required");
        if (miniBatchLeaves < 1) throw new IllegalArgumentException("miniBatchLeaves must be >= 1, got " + miniBatchLeaves);
    }

    /** TreePO's trainer: tree advantage (average), paper PPO, staleness 4, zero-signal groups dropped. */
    public static UpdateConfig defaults() {
        return new UpdateConfig(AdvantageEstimator.tree(TreeAdvantage.Weighting.AVERAGE), PpoConfig.defaults(),
                new StalenessFilter(4), true, 64);
    }
}
