package io.treepo.schemas.weights;

import io.treepo.schemas.PolicyWeights;
import io.treepo.schemas.weights.WeightsAssembler.Assembled;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Weights by reference: versions too large for Kafka chunks are written to a shared file system
 * through Flink's {@link FileSystem} (file://, s3://, hdfs:// alike, as the cluster configures
 * them), and the weights topic carries one record with their URI, size and SHA-256. Readers check
 * both before they use the bytes, so a torn or tampered file is refused, not decoded.
 *
 * <p>Immutable and serialisable as its two settings; the trainer publishes through it.
 *
 * @param directory where versions are written, one file each ({@code v<version>-<sha256 prefix>.weights})
 * @param thresholdBytes versions of at least this many bytes go by reference; smaller ones as chunks
 */
public record WeightsStore(String directory, long thresholdBytes) implements java.io.Serializable {

    public WeightsStore {
        if (directory == null || directory.isBlank()) throw new IllegalArgumentException("weights directory must not be blank");
        if (thresholdBytes < 0) throw new IllegalArgumentException("weights by reference threshold must be >= 0 bytes, got " + thresholdBytes);
    }

    /** The records of one version: chunks of {@code chunkBytes} each, or one reference when the payload is at or above the threshold. */
    public List<PolicyWeights> publish(long version, long step, String modelConfig, byte[] payload, int chunkBytes, long nowMs) {
        if (payload.length < thresholdBytes) {
            return WeightsChunks.split(version, step, modelConfig, payload, chunkBytes, nowMs);
        }
        String sha256 = WeightsChunks.sha256(payload);
        Path file = new Path(directory, "v" + version + "-" + sha256.substring(0, 16) + ".weights");
        try {
            FileSystem fs = file.getFileSystem();
            try (OutputStream out = fs.create(file, FileSystem.WriteMode.OVERWRITE)) {
                out.write(payload);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write weights version " + version + " to " + file + ": " + e.getMessage(), e);
        }
        List<PolicyWeights> one = new ArrayList<>(1);
        one.add(WeightsChunks.reference(version, step, modelConfig, sha256, payload.length, file.toUri().toString(), nowMs));
        return one;
    }

    /**
     * A version's bytes: inline ones as they are (the assembler verified them), referenced ones read
     * from their URI and checked against the record's size and SHA-256.
     */
    public static byte[] payload(Assembled version) {
        if (!version.byReference()) {
            return version.payload();
        }
        Path file = new Path(URI.create(version.uri()));
        byte[] bytes;
        try {
            FileSystem fs = file.getFileSystem();
            long size = fs.getFileStatus(file).getLen();
            if (size != version.totalBytes()) {
                throw new IllegalStateException("weights version " + version.version() + " at " + version.uri() + " has " + size
                        + " bytes, the weights topic says " + version.totalBytes());
            }
            bytes = new byte[Math.toIntExact(size)];
            try (InputStream in = fs.open(file)) {
                int read = 0;
                while (read < bytes.length) {
                    int n = in.read(bytes, read, bytes.length - read);
                    if (n < 0) throw new IOException("ended after " + read + " of " + bytes.length + " bytes");
                    read += n;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read weights version " + version.version() + " from " + version.uri() + ": " + e.getMessage(), e);
        }
        String digest = WeightsChunks.sha256(bytes);
        if (!digest.equals(version.sha256())) {
            throw new IllegalStateException("weights version " + version.version() + " at " + version.uri() + " has SHA-256 " + digest
                    + ", the weights topic says " + version.sha256());
        }
        return bytes;
    }
}
