package io.treepo.policy;

import java.io.Serializable;

/**
 * Optimiser settings of a {@link PolicyTrainer}: AdamW with decoupled weight decay (matrices only),
 * global grad-norm clipping and a linear learning-rate warm-up.
 *
 * @param learningRate peak learning rate, reached after {@code warmupSteps}
 * @param warmupSteps applied steps over which the rate rises linearly from lr/warmup to lr
 * @param weightDecay decoupled decay per step, times the learning rate; not applied to norms
 * @param gradClip the global gradient norm is scaled down to at most this
 */
public record TrainerConfig(float learningRate, int warmupSteps, float weightDecay, float gradClip, float beta1, float beta2, float epsilon) implements Serializable {
    public TrainerConfig {
        if (!(learningRate > 0)) throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
        if (warmupSteps < 0) throw new IllegalArgumentException("warmupSteps must be >= 0, got " + warmupSteps);
        if (weightDecay < 0) throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
        if (!(gradClip > 0)) throw new IllegalArgumentException("gradClip must be > 0, got " + gradClip);
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        if (!(epsilon > 0)) throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
    }

    /** RL fine-tuning of the small default policy (the paper's 1e-6 is for a 7B model). */
    public static TrainerConfig defaults() {
        return new TrainerConfig(1e-4f, 10, 0.1f, 1.0f, 0.9f, 0.95f, 1e-8f);
    }

    /** Supervised warm-up from scratch: a much higher rate. */
    public static TrainerConfig pretraining() {
        return new TrainerConfig(2e-3f, 30, 0.1f, 1.0f, 0.9f, 0.95f, 1e-8f);
    }

    public TrainerConfig withLearningRate(float lr) {
        return new TrainerConfig(lr, warmupSteps, weightDecay, gradClip, beta1, beta2, epsilon);
    }

    /** The rate of applied step {@code step} (1-based). */
    public float learningRateAt(long step) {
        return warmupSteps == 0 ? learningRate : learningRate * Math.min(1f, (float) step / warmupSteps);
    }
}
