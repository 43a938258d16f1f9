package io.treepo.policy;

import java.io.Serializable;

/**
 * Optimiser settings of a {@link PolicyTrainer}: AdamW with decoupled weight decay (matrices only),
 * global grad-norm clipping, a linear learning-rate warm-up and an optional linear decay.
 *
 * @param learningRate peak learning rate, reached after {@code warmupSteps}
 * @param warmupSteps applied steps over which the rate rises linearly from lr/warmup to lr
 * @param weightDecay decoupled decay per step, times the learning rate; not applied to norms
 * @param gradClip the global gradient norm is scaled down to at most this
 * @param decaySteps applied steps over which the rate falls linearly from its peak to a tenth of it,
 *     and then stays there; 0 keeps the peak rate
 */
public record TrainerConfig(float learningRate, int warmupSteps, float weightDecay, float gradClip, float beta1, float beta2, float epsilon,
        int decaySteps) implements Serializable {
    /** Where a decay ends, as a fraction of the peak rate. */
    public static final float DECAY_FLOOR = 0.1f;

    public TrainerConfig {
        if (!(learningRate > 0)) throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
        if (warmupSteps < 0) throw new IllegalArgumentException("warmupSteps must be >= 0, got " + warmupSteps);
        if (weightDecay < 0) throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
        if (!(gradClip > 0)) throw new IllegalArgumentException("gradClip must be > 0, got " + gradClip);
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        if (!(epsilon > 0)) throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
        if (decaySteps < 0) throw new IllegalArgumentException("decaySteps must be >= 0, got " + decaySteps);
    }

    /** RL fine-tuning of the small default policy (the paper's 1e-6 is for a 7B model). */
    public static TrainerConfig defaults() {
        return new TrainerConfig(1e-4f, 10, 0.1f, 1.0f, 0.9f, 0.95f, 1e-8f, 0);
    }

    /** Supervised warm-up from scratch: a much higher rate. */
    public static TrainerConfig pretraining() {
        return new TrainerConfig(2e-3f, 30, 0.1f, 1.0f, 0.9f, 0.95f, 1e-8f, 0);
    }

    public TrainerConfig withLearningRate(float lr) {
        return new TrainerConfig(lr, warmupSteps, weightDecay, gradClip, beta1, beta2, epsilon, decaySteps);
    }

    public TrainerConfig withDecaySteps(int steps) {
        return new TrainerConfig(learningRate, warmupSteps, weightDecay, gradClip, beta1, beta2, epsilon, steps);
    }

    /** The rate of applied step {@code step} (1-based): warm-up, then the peak or the decay, counted from the first step. */
    public float learningRateAt(long step) {
        float warmup = warmupSteps == 0 ? 1f : Math.min(1f, (float) step / warmupSteps);
        float decay = decaySteps == 0 ? 1f : Math.max(DECAY_FLOOR, 1f - (1f - DECAY_FLOOR) * (step - 1) / decaySteps);
        return learningRate * warmup * decay;
    }
}
