package io.treepo.policy;

/**
 * A model's parameters as bytes, with the config they were built for and the payload's SHA-256:
 * what the weights topic and a model directory carry.
 *
 * @param sha256 lower-case hex SHA-256 of {@code payload}
 */
public record EncodedWeights(ModelConfig config, byte[] payload, String sha256) {
    public EncodedWeights {
        if (payload == null || payload.length == 0) throw new IllegalArgumentException("payload is empty");
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits, got " + sha256);
        }
    }
}
