package io.treepo.policy;

import java.util.List;

/**
 * Decodes one segment for many prefixes at once: the contract between the tree sampler and the
 * policy. The DJL policy implements it; sampler tests may use a stub with controlled log-probs.
 *
 * <p>Not thread-safe: one decoder per operator thread.
 */
public interface SegmentDecoder extends AutoCloseable {

    /**
     * Samples up to {@code request.maxTokens()} new tokens after each request's prefix, all rows
     * in one batched loop. A row stops at EOS (which is included as its last token) without
     * stopping the others. Prefix KV state is reused from the cache where present and recomputed
     * from tokens where not (evicted, or never computed, e.g. after a restore).
     *
     * @return one result per request, in request order
     */
    List<DecodedSegment> decode(List<DecodeRequest> requests, SamplingConfig sampling, long seed);

    /**
     * Frees the cached state of a node that will not be extended again, nor any node below it (a
     * continuation below a released node still decodes correctly, but recomputes the released part).
     * Unknown nodes are ignored.
     */
    void release(PrefixNode node);

    /** The policy version decoding now; every decoded segment is tagged with it. */
    long policyVersion();

    /** Cumulative compute counters since creation. */
    DecodeCounters counters();

    int eosToken();

    @Override
    void close();

    /** One row to decode: extend {@code prefix} by at most {@code maxTokens} tokens. */
    record DecodeRequest(PrefixNode prefix, int maxTokens) {
        public DecodeRequest {
            if (maxTokens < 1) {
                throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
            }
        }
    }

    /**
     * What one row produced: the new child node (its cache entry filled), and per token the id, its
     * log-prob under the sampling distribution and that distribution's entropy.
     */
    record DecodedSegment(
            PrefixNode node, int[] tokens, float[] logProbs, float[] entropies, boolean endedWithEos, long policyVersion) {}
}
