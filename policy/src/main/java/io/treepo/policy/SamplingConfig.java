package io.treepo.policy;

import java.io.Serializable;

/**
 * How tokens are drawn. Log-probs and entropies are those of the distribution actually sampled
 * from (after temperature, top-k and top-p), so PPO ratios use the true behaviour policy.
 *
 * @param temperature 0 means greedy (then log-prob 0 and entropy 0 for each token)
 * @param topK 0 disables top-k
 * @param topP 1 disables nucleus sampling
 */
public record SamplingConfig(float temperature, int topK, float topP) implements Serializable {
    public SamplingConfig {
        if (temperature < 0) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("topK must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
    }

    /** Plain sampling at temperature 1: what RL trains on. */
    public static SamplingConfig standard() {
        return new SamplingConfig(1.0f, 0, 1.0f);
    }

    public static SamplingConfig greedy() {
        return new SamplingConfig(0f, 0, 1.0f);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }
}
