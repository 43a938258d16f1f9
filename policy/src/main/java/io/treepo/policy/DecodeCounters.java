package io.treepo.policy;

/**
 * Compute spent by a decoder, cumulative. Tokens "prefilled" are prompt tokens run through the model
 * for the first time; "recomputed" are tokens whose cached state was missing (evicted or restored)
 * and had to be run again; "decoded" are newly sampled tokens.
 */
public record DecodeCounters(
        long prefillTokens, long decodedTokens, long recomputedTokens, long forwardCalls, long cacheBytes, long cacheHits, long cacheMisses) {

    public static final DecodeCounters ZERO = new DecodeCounters(0, 0, 0, 0, 0, 0, 0);

    /** Tokens the model processed in any way: the figure to compare samplers by. */
    public long processedTokens() {
        return prefillTokens + decodedTokens + recomputedTokens;
    }

    /** Counters accumulated since {@code earlier} (cache bytes is a level, not a sum: kept as now). */
    public DecodeCounters minus(DecodeCounters earlier) {
        return new DecodeCounters(
                prefillTokens - earlier.prefillTokens,
                decodedTokens - earlier.decodedTokens,
                recomputedTokens - earlier.recomputedTokens,
                forwardCalls - earlier.forwardCalls,
                cacheBytes,
                cacheHits - earlier.cacheHits,
                cacheMisses - earlier.cacheMisses);
    }
}
