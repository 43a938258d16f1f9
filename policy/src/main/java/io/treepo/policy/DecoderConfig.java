package io.treepo.policy;

/**
 * Settings of a {@link DjlSegmentDecoder}.
 *
 * @param cacheBudgetBytes most bytes the per-node KV cache may hold; least recently used entries
 *     are evicted beyond it (and recomputed from tokens if needed again)
 * @param device {@code auto} (GPU when the engine sees one), {@code cpu} or {@code gpu}; see {@link Devices}
 */
public record DecoderConfig(long cacheBudgetBytes, String device) {
    public DecoderConfig {
        if (cacheBudgetBytes < 0) {
            throw new IllegalArgumentException("cacheBudgetBytes must be >= 0, got " + cacheBudgetBytes);
        }
        Devices.validate(device);
    }

    /** 512 MiB of cache: a few thousand nodes of the default model's segments. */
    public static DecoderConfig defaults() {
        return new DecoderConfig(512L << 20, Devices.configured());
    }
}
