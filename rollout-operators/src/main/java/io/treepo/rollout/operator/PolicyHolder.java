package io.treepo.rollout.operator;

import io.treepo.policy.DecodeCounters;
import io.treepo.policy.DecoderConfig;
import io.treepo.policy.DjlSegmentDecoder;
import io.treepo.policy.EncodedWeights;
import io.treepo.policy.ModelConfig;
import io.treepo.policy.Tokenizer;
import io.treepo.policy.SegmentDecoder;
import io.treepo.schemas.weights.PolicyVersions;
import io.treepo.schemas.weights.WeightsAssembler.Assembled;
import io.treepo.schemas.weights.WeightsStore;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rollout's policy: the decoder, the version it runs, and a newer verified version waiting to
 * be installed between rounds. A version whose model config does not fit is refused and counted;
 * decoding goes on with the last good one.
 */
final class PolicyHolder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyHolder.class);

    private final DjlSegmentDecoder decoder;
    private Assembled current;
    private Assembled pending;
    private long refused;
    private long lastSwapLatencyMs = -1;
    private long lastArrivalLatencyMs = -1;
    private long pendingArrivalMs;

    private PolicyHolder(DjlSegmentDecoder decoder, Assembled current) {
        this.decoder = decoder;
        this.current = current;
    }

    /** Starts from the newest restored copy, else from the configured version 0. */
    static PolicyHolder start(RolloutConfig config, Tokenizer tokenizer, List<byte[]> restoredCopies) {
        Assembled newest = restoredCopies.stream()
                .map(PolicyVersions::fromBytes)
                .max(Comparator.comparingLong(Assembled::version))
                .orElseGet(() -> PolicyVersions.fromBytes(config.initialWeights()));
        DjlSegmentDecoder decoder = DjlSegmentDecoder.create(
                new DecoderConfig(config.cacheBudgetBytes(), config.device()), tokenizer,
                encoded(newest), newest.version());
        return new PolicyHolder(decoder, newest);
    }

    /** The version's weights; one by reference is read from its URI and verified here, before use. */
    private static EncodedWeights encoded(Assembled version) {
        return new EncodedWeights(ModelConfig.fromJson(version.modelConfig()), WeightsStore.payload(version), version.sha256());
    }

    SegmentDecoder decoder() {
        return decoder;
    }

    /** Keeps a newer version for the next round; older or equal versions are ignored. */
    void offer(Assembled update) {
        long have = pending != null ? pending.version() : current.version();
        if (update.version() <= have) {
            return;
        }
        ModelConfig mine = decoder.modelConfig();
        ModelConfig theirs;
        try {
            theirs = ModelConfig.fromJson(update.modelConfig());
        } catch (IllegalArgumentException e) {
            refuse(update, "unreadable model config: " + e.getMessage());
            return;
        }
        if (!mine.equals(theirs)) {
            refuse(update, "model config does not fit the running model: " + mine.differences(theirs));
            return;
        }
        pending = update;
        pendingArrivalMs = System.currentTimeMillis();
    }

    /**
     * Installs the pending version, if any: build new, swap, free old (the decoder does that).
     *
     * @return true when a new version now decodes
     */
    boolean installPending() {
        if (pending == null) {
            return false;
        }
        Assembled next = pending;
        pending = null;
        try {
            decoder.installWeights(encoded(next), next.version());
        } catch (RuntimeException e) {
            refuse(next, e.getMessage());
            return false;
        }
        current = next;
        lastSwapLatencyMs = next.publishedAtMs() > 0 ? Math.max(0, System.currentTimeMillis() - next.publishedAtMs()) : -1;
        lastArrivalLatencyMs = next.publishedAtMs() > 0 ? Math.max(0, pendingArrivalMs - next.publishedAtMs()) : -1;
        return true;
    }

    private void refuse(Assembled update, String why) {
        refused++;
        LOG.warn("refused policy version {}: {}; decoding goes on with version {}", update.version(), why, current.version());
    }

    long version() {
        return current.version();
    }

    long refused() {
        return refused;
    }

    /** Publish to arrival at this operator, of the version installed last: the part of the swap latency spent outside the rollout. */
    long lastArrivalLatencyMs() {
        return lastArrivalLatencyMs;
    }

    long lastSwapLatencyMs() {
        return lastSwapLatencyMs;
    }

    DecodeCounters counters() {
        return decoder.counters();
    }

    /** The running version as bytes, for operator state. */
    byte[] currentWeights() {
        return PolicyVersions.toBytes(current);
    }

    @Override
    public void close() {
        decoder.close();
    }
}
