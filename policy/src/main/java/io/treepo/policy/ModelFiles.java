package io.treepo.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model directory: {@code config.json}, {@code weights.bin} (the {@link WeightsCodec} payload) and
 * {@code weights.sha256}. What {@code treepo pretrain} writes and {@code eval}, {@code demo} read.
 */
public final class ModelFiles {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "weights.bin";
    public static final String DIGEST = "weights.sha256";

    private ModelFiles() {}

    public static void save(Path dir, EncodedWeights weights) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(CONFIG), weights.config().toJson() + "\n");
            Files.write(dir.resolve(WEIGHTS), weights.payload());
            Files.writeString(dir.resolve(DIGEST), weights.sha256() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model to " + dir, e);
        }
    }

    /** Reads a model directory; the digest and config are checked when the weights are decoded. */
    public static EncodedWeights load(Path dir) {
        try {
            ModelConfig config = ModelConfig.fromJson(Files.readString(dir.resolve(CONFIG), StandardCharsets.UTF_8));
            byte[] payload = Files.readAllBytes(dir.resolve(WEIGHTS));
            String digest = Files.readString(dir.resolve(DIGEST), StandardCharsets.UTF_8).strip();
            return new EncodedWeights(config, payload, digest);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model from " + dir + " (expected " + CONFIG + ", " + WEIGHTS + ", " + DIGEST + ")", e);
        }
    }

    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG)) && Files.isRegularFile(dir.resolve(WEIGHTS)) && Files.isRegularFile(dir.resolve(DIGEST));
    }
}
