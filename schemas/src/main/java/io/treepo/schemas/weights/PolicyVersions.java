package io.treepo.schemas.weights;

import io.treepo.schemas.PolicyWeights;
import io.treepo.schemas.codec.Codecs;
import io.treepo.schemas.codec.RecordDecodeException;
import io.treepo.schemas.weights.WeightsAssembler.Assembled;
import java.util.List;

/**
 * One whole policy version as bytes (a single-chunk {@link PolicyWeights} record), for operator
 * state and job configuration. Reading verifies the digest, like a version from the topic.
 */
public final class PolicyVersions {
    private PolicyVersions() {}

    /** A version's bytes; a version by reference stays a reference (its payload is not read). */
    public static byte[] toBytes(Assembled version) {
        if (version.byReference()) {
            return Codecs.POLICY_WEIGHTS.encode(WeightsChunks.reference(version.version(), version.step(), version.modelConfig(),
                    version.sha256(), version.totalBytes(), version.uri(), version.publishedAtMs()));
        }
        List<PolicyWeights> chunks = WeightsChunks.split(version.version(), version.step(), version.modelConfig(),
                version.payload(), Math.max(1, version.payload().length), version.publishedAtMs());
        return Codecs.POLICY_WEIGHTS.encode(chunks.get(0));
    }

    public static Assembled fromBytes(byte[] bytes) {
        PolicyWeights chunk;
        try {
            chunk = Codecs.POLICY_WEIGHTS.decode(bytes);
        } catch (RecordDecodeException e) {
            throw new IllegalArgumentException("not a stored policy version: " + e.getMessage(), e);
        }
        WeightsAssembler.Result result = new WeightsAssembler(-1).accept(chunk);
        if (result.outcome() != WeightsAssembler.Outcome.COMPLETE) {
            throw new IllegalArgumentException("stored policy version " + chunk.getVersion() + " is not usable: " + result.detail());
        }
        return result.weights();
    }
}
