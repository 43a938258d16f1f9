package io.treepo.trainer.operator;

import io.treepo.policy.TokenizerFiles;
import io.treepo.policy.TrainerConfig;
import io.treepo.schemas.PolicyWeights;
import io.treepo.schemas.weights.WeightsChunks;
import io.treepo.schemas.weights.WeightsStore;
import io.treepo.trainer.Estimator;
import io.treepo.trainer.PpoConfig;
import io.treepo.trainer.StalenessFilter;
import io.treepo.trainer.UpdateConfig;
import java.io.Serializable;
import java.util.List;

/**
 * Settings of the trainer operator (serialisable: they travel with the job graph).
 *
 * @param estimator how rewards become token advantages
 * @param maxStaleness leaves with a segment more than this many versions old are dropped
 * @param dropZeroSignal leave out trees whose rewards all agree
 * @param miniBatchLeaves leaves per optimiser step
 * @param optimizer AdamW, clipping and warm-up
 * @param initialWeights version 0 of the policy (a stored policy version's bytes)
 * @param treesPerStep scored trees per update (one published version per update)
 * @param chunkBytes largest weights chunk on the topic
 * @param device where the trainer runs: auto, cpu or gpu
 * @param tokenizer the policy's tokenizer files (for its padding id); null for the byte tokenizer
 * @param weightsStore where versions too large for chunks go by reference; null to always send chunks
 */
public record TrainerSettings(
        Estimator estimator,
        PpoConfig ppo,
        long maxStaleness,
        boolean dropZeroSignal,
        int miniBatchLeaves,
        TrainerConfig optimizer,
        byte[] initialWeights,
        int treesPerStep,
        int chunkBytes,
        String device,
        TokenizerFiles tokenizer,
        WeightsStore weightsStore)
        implements Serializable {

    /** With the byte tokenizer. */
    public TrainerSettings(Estimator estimator, PpoConfig ppo, long maxStaleness, boolean dropZeroSignal, int miniBatchLeaves,
            TrainerConfig optimizer, byte[] initialWeights, int treesPerStep, int chunkBytes, String device) {
        this(estimator, ppo, maxStaleness, dropZeroSignal, miniBatchLeaves, optimizer, initialWeights, treesPerStep, chunkBytes, device, null, null);
    }

    /** The same settings, publishing versions of at least the store's threshold by reference. */
    public TrainerSettings withWeightsStore(WeightsStore store) {
        return new TrainerSettings(estimator, ppo, maxStaleness, dropZeroSignal, miniBatchLeaves, optimizer, initialWeights, treesPerStep,
                chunkBytes, device, tokenizer, store);
    }

    /** The records of one version: by reference when a store is set and the payload reaches its threshold, else chunks. */
    public List<PolicyWeights> publish(long version, long step, String modelConfig, byte[] payload, long nowMs) {
        return weightsStore == null
                ? WeightsChunks.split(version, step, modelConfig, payload, chunkBytes, nowMs)
                : weightsStore.publish(version, step, modelConfig, payload, chunkBytes, nowMs);
    }

    public TrainerSettings {
        if (treesPerStep < 1) throw new IllegalArgumentException("treesPerStep must be >= 1, got " + treesPerStep);
        if (chunkBytes < 1024) throw new IllegalArgumentException("chunkBytes must be >= 1024, got " + chunkBytes);
        if (initialWeights == null || initialWeights.length == 0) {
            throw new IllegalArgumentException("initialWeights must hold the version-0 policy");
        }
        updateConfig(estimator, ppo, maxStaleness, dropZeroSignal, miniBatchLeaves); // validates
    }

    public UpdateConfig updateConfig() {
        return updateConfig(estimator, ppo, maxStaleness, dropZeroSignal, miniBatchLeaves);
    }

    private static UpdateConfig updateConfig(Estimator estimator, PpoConfig ppo, long maxStaleness, boolean dropZeroSignal, int miniBatchLeaves) {
        if (estimator == null) throw new IllegalArgumentException("estimator is required");
        return new UpdateConfig(estimator.create(), ppo, new StalenessFilter(maxStaleness), dropZeroSignal, miniBatchLeaves);
    }
}
