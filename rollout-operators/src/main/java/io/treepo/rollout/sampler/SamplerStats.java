package io.treepo.rollout.sampler;

import io.treepo.policy.DecodeCounters;
import io.treepo.schemas.FinishReason;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Compute and output of some rounds: the figures samplers are compared by and metrics report.
 * Token counts are the decoder's counter deltas, so they are what the model actually ran.
 *
 * @param promptTokens prompt tokens prefilled
 * @param decodedTokens tokens sampled
 * @param recomputedTokens tokens whose KV state had to be computed again (restores, fallback cuts)
 * @param forwardCalls model forward passes
 * @param leavesByReason leaves finished, per reason
 * @param wallNanos wall time spent in rounds
 */
public record SamplerStats(
        long rounds,
        long promptTokens,
        long decodedTokens,
        long recomputedTokens,
        long forwardCalls,
        Map<FinishReason, Long> leavesByReason,
        long wallNanos) {

    public static final SamplerStats ZERO = new SamplerStats(0, 0, 0, 0, 0, Map.of(), 0);

    public SamplerStats {
        leavesByReason = Collections.unmodifiableMap(new EnumMap<>(withAllReasons(leavesByReason)));
    }

    static SamplerStats ofRound(DecodeCounters spent, List<SampledLeaf> leaves, long wallNanos) {
        Map<FinishReason, Long> reasons = new EnumMap<>(FinishReason.class);
        for (SampledLeaf leaf : leaves) {
            reasons.merge(leaf.finishReason(), 1L, Long::sum);
        }
        return new SamplerStats(1, spent.prefillTokens(), spent.decodedTokens(), spent.recomputedTokens(),
                spent.forwardCalls(), reasons, wallNanos);
    }

    /** Every token the model processed: prefill + decode + recompute. */
    public long processedTokens() {
        return promptTokens + decodedTokens + recomputedTokens;
    }

    public long leaves() {
        return leavesByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    public SamplerStats plus(SamplerStats other) {
        Map<FinishReason, Long> reasons = new EnumMap<>(leavesByReason);
        other.leavesByReason.forEach((reason, n) -> reasons.merge(reason, n, Long::sum));
        return new SamplerStats(rounds + other.rounds, promptTokens + other.promptTokens,
                decodedTokens + other.decodedTokens, recomputedTokens + other.recomputedTokens,
                forwardCalls + other.forwardCalls, reasons, wallNanos + other.wallNanos);
    }

    private static Map<FinishReason, Long> withAllReasons(Map<FinishReason, Long> counts) {
        Map<FinishReason, Long> all = new EnumMap<>(FinishReason.class);
        for (FinishReason reason : FinishReason.values()) {
            all.put(reason, counts.getOrDefault(reason, 0L));
        }
        return all;
    }
}
