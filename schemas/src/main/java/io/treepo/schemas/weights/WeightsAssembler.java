package io.treepo.schemas.weights;

import io.treepo.schemas.PolicyWeights;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reassembles policy versions from their chunks, in any order, and hands out a version only when
 * it is complete and its digest checks out. Versions at or below the newest one handed out are
 * ignored (old or duplicate); a newer complete version drops any older partial ones. Not thread-safe.
 *
 * <p>Re-publication: a trainer restored from a checkpoint publishes the versions after that
 * checkpoint again, with other bytes under the same numbers. A version already complete here stays
 * as it was (the later copy is {@code STALE}), so readers never see a version twice or skip one. A
 * version still incomplete (the failure cut its publication short) is replaced by the later copy:
 * a chunk that disagrees with the pending ones but was published later drops them and starts over
 * (counted by {@link #republished()}); one published earlier is {@code INCONSISTENT}.
 */
public final class WeightsAssembler {

    /** What one chunk did. */
    public enum Outcome {
        /** Stored; the version is not complete yet. */
        PARTIAL,
        /** It completed a version that verified: see {@link Result#weights()}. */
        COMPLETE,
        /** Its version is not newer than the newest complete version. */
        STALE,
        /** The same chunk of a pending version arrived twice. */
        DUPLICATE_CHUNK,
        /** The chunk disagrees with its version's other chunks (count, digest, size, config), or has no payload. */
        INCONSISTENT,
        /** All chunks arrived but the bytes do not match the digest: the version is dropped. */
        DIGEST_MISMATCH
    }

    /**
     * A version: its bytes inline and verified, or (a model too large for Kafka chunks) a reference
     * to them, {@code payload} null, verified by {@link WeightsStore#payload} when they are read.
     *
     * @param uri where the payload lives (file://, s3://, hdfs://, any Flink file system), or null when inline
     * @param totalBytes the payload's size
     */
    public record Assembled(long version, long step, String modelConfig, String sha256, byte[] payload, String uri, long totalBytes,
            long publishedAtMs) {
        /** An inline version. */
        public Assembled(long version, long step, String modelConfig, String sha256, byte[] payload, long publishedAtMs) {
            this(version, step, modelConfig, sha256, payload, null, payload.length, publishedAtMs);
        }

        public boolean byReference() {
            return payload == null;
        }
    }

    /** @param weights the version completed by this chunk, or null unless {@code outcome == COMPLETE} */
    public record Result(Outcome outcome, Assembled weights, String detail) {}

    private final TreeMap<Long, Pending> pending = new TreeMap<>();
    private long newestComplete;
    private long republished;

    /** @param newestComplete the newest version already installed (-1 when none), e.g. after a restore */
    public WeightsAssembler(long newestComplete) {
        this.newestComplete = newestComplete;
    }

    public long newestComplete() {
        return newestComplete;
    }

    public Result accept(PolicyWeights chunk) {
        long version = chunk.getVersion();
        if (version <= newestComplete) {
            return new Result(Outcome.STALE, null, "version " + version + " is not newer than " + newestComplete);
        }
        if (chunk.getPayload() == null) {
            if (chunk.getUri() == null || chunk.getChunkCount() != 1 || chunk.getChunkIndex() != 0) {
                return new Result(Outcome.INCONSISTENT, null, "version " + version + " chunk " + chunk.getChunkIndex()
                        + " has neither a payload nor, as the one chunk of its version, a URI");
            }
            newestComplete = version;
            pending.headMap(version + 1).clear();
            return new Result(Outcome.COMPLETE, new Assembled(version, chunk.getStep(), chunk.getModelConfig(), chunk.getSha256(), null,
                    chunk.getUri(), chunk.getTotalBytes(), chunk.getPublishedAtMs()),
                    "version " + version + " complete, by reference to " + chunk.getUri() + " (" + chunk.getTotalBytes() + " bytes)");
        }
        if (chunk.getChunkCount() < 1 || chunk.getChunkIndex() < 0 || chunk.getChunkIndex() >= chunk.getChunkCount()) {
            return new Result(Outcome.INCONSISTENT, null, "version " + version + " has chunk " + chunk.getChunkIndex() + " of " + chunk.getChunkCount());
        }
        Pending p = pending.computeIfAbsent(version, v -> new Pending(chunk));
        if (!p.sameVersionAs(chunk) && chunk.getPublishedAtMs() > p.first.getPublishedAtMs()) {
            p = new Pending(chunk);
            pending.put(version, p);
            republished++;
        }
        if (!p.sameVersionAs(chunk)) {
            return new Result(Outcome.INCONSISTENT, null, "version " + version + " chunk " + chunk.getChunkIndex()
                    + " disagrees with the version's first chunk (count, digest, size or config)");
        }
        if (p.chunks.containsKey(chunk.getChunkIndex())) {
            return new Result(Outcome.DUPLICATE_CHUNK, null, "version " + version + " chunk " + chunk.getChunkIndex() + " again");
        }
        p.chunks.put(chunk.getChunkIndex(), chunk);
        if (p.chunks.size() < p.first.getChunkCount()) {
            return new Result(Outcome.PARTIAL, null, p.chunks.size() + "/" + p.first.getChunkCount() + " chunks of version " + version);
        }
        pending.remove(version);
        byte[] payload = p.concat();
        String digest = WeightsChunks.sha256(payload);
        if (payload.length != p.first.getTotalBytes() || !digest.equals(p.first.getSha256())) {
            return new Result(Outcome.DIGEST_MISMATCH, null, "version " + version + ": " + payload.length + " bytes with SHA-256 "
                    + digest + ", expected " + p.first.getTotalBytes() + " bytes with " + p.first.getSha256());
        }
        newestComplete = version;
        pending.headMap(version).clear();
        return new Result(Outcome.COMPLETE,
                new Assembled(version, p.first.getStep(), p.first.getModelConfig(), digest, payload, p.first.getPublishedAtMs()),
                "version " + version + " complete, " + payload.length + " bytes");
    }

    /** Incomplete versions replaced by a later publication of the same version number. */
    public long republished() {
        return republished;
    }

    /** Chunks of versions still incomplete, for checkpointing; feed them back to a new assembler to restore. */
    public List<PolicyWeights> pendingChunks() {
        List<PolicyWeights> all = new ArrayList<>();
        for (Pending p : pending.values()) {
            all.addAll(p.chunks.values());
        }
        return all;
    }

    private static final class Pending {
        final PolicyWeights first;
        final Map<Integer, PolicyWeights> chunks = new TreeMap<>();

        Pending(PolicyWeights first) {
            this.first = first;
        }

        boolean sameVersionAs(PolicyWeights other) {
            return other.getChunkCount() == first.getChunkCount()
                    && other.getTotalBytes() == first.getTotalBytes()
                    && other.getSha256().equals(first.getSha256())
                    && other.getModelConfig().equals(first.getModelConfig());
        }

        byte[] concat() {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, first.getTotalBytes()));
            for (PolicyWeights chunk : chunks.values()) {
                ByteBuffer buffer = chunk.getPayload().duplicate();
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                out.writeBytes(bytes);
            }
            return out.toByteArray();
        }
    }
}
