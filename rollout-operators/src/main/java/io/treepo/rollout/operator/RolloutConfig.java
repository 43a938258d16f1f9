package io.treepo.rollout.operator;

import io.treepo.rollout.sampler.TreeConfig;
import io.treepo.policy.Devices;
import io.treepo.policy.TokenizerFiles;
import java.io.Serializable;

/**
 * Settings of the tree rollout operator.
 *
 * @param tree how trees grow (or independent samples, by {@code tree.kind()})
 * @param maxTreesInFlight trees a subtask grows at once; when full, input waits (backpressure to Kafka)
 * @param initialWeights the version-0 policy (weights codec bytes) every subtask starts from
 * @param cacheBudgetBytes KV cache bound per subtask
 * @param seed base of every tree's and every round's random choices
 * @param device where decoding runs: auto (GPU when the engine sees one), cpu or gpu
 * @param tokenizer the policy's tokenizer files; null for the byte tokenizer
 */
public record RolloutConfig(
        TreeConfig tree, int maxTreesInFlight, byte[] initialWeights, long cacheBudgetBytes, long seed, String device, TokenizerFiles tokenizer)
        implements Serializable {

    /** With the byte tokenizer. */
    public RolloutConfig(TreeConfig tree, int maxTreesInFlight, byte[] initialWeights, long cacheBudgetBytes, long seed, String device) {
        this(tree, maxTreesInFlight, initialWeights, cacheBudgetBytes, seed, device, null);
    }

    public RolloutConfig {
        if (maxTreesInFlight < 1) {
            throw new IllegalArgumentException("maxTreesInFlight must be >= 1, got " + maxTreesInFlight);
        }
        if (initialWeights == null || initialWeights.length == 0) {
            throw new IllegalArgumentException("initialWeights must hold the version-0 policy");
        }
        Devices.validate(device);
        if (cacheBudgetBytes < 0) {
            throw new IllegalArgumentException("cacheBudgetBytes must be >= 0, got " + cacheBudgetBytes);
        }
    }
}
