package io.treepo.schemas.weights;

import io.treepo.schemas.PolicyWeights;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Cuts a policy version's payload into chunks that fit a Kafka record, each carrying the whole payload's digest. */
public final class WeightsChunks {
    private WeightsChunks() {}

    /** Hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** The one record of a version whose payload lives at {@code uri} (see {@link WeightsStore}). */
    public static PolicyWeights reference(long version, long step, String modelConfig, String sha256, long totalBytes, String uri, long nowMs) {
        if (version < 0) throw new IllegalArgumentException("version must be >= 0, got " + version);
        return PolicyWeights.newBuilder()
                .setVersion(version)
                .setStep(step)
                .setModelConfig(modelConfig)
                .setSha256(sha256)
                .setTotalBytes(totalBytes)
                .setChunkIndex(0)
                .setChunkCount(1)
                .setPayload(null)
                .setUri(uri)
                .setPublishedAtMs(nowMs)
                .build();
    }

    /**
     * @param chunkBytes largest payload per chunk; the last chunk may be smaller
     */
    public static List<PolicyWeights> split(long version, long step, String modelConfig, byte[] payload, int chunkBytes, long nowMs) {
        if (version < 0) throw new IllegalArgumentException("version must be >= 0, got " + version);
        if (chunkBytes < 1) throw new IllegalArgumentException("chunkBytes must be >= 1, got " + chunkBytes);
        String digest = sha256(payload);
        int count = Math.max(1, (payload.length + chunkBytes - 1) / chunkBytes);
        List<PolicyWeights> chunks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int from = i * chunkBytes;
            int to = Math.min(payload.length, from + chunkBytes);
            chunks.add(PolicyWeights.newBuilder()
                    .setVersion(version)
                    .setStep(step)
                    .setModelConfig(modelConfig)
                    .setSha256(digest)
                    .setTotalBytes(payload.length)
                    .setChunkIndex(i)
                    .setChunkCount(count)
                    .setPayload(ByteBuffer.wrap(payload, from, to - from).slice())
                    .setUri(null)
                    .setPublishedAtMs(nowMs)
                    .build());
        }
        return chunks;
    }
}
