package io.treepo.policy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parameters + config to bytes and back. Payload: magic {@code TPW1}, the config JSON, the number
 * of parameters, then per parameter its name, rank, dims and float32 values (little-endian).
 * Loading checks the SHA-256 first, then that the payload's config equals the expected one, then
 * every parameter's name and shape; each refusal names what differs.
 */
public final class WeightsCodec {
    private static final int MAGIC = 0x54505731; // "TPW1"

    private WeightsCodec() {}

    public static EncodedWeights encode(TransformerModel model) {
        return encode(model.config(), model.toValues());
    }

    static EncodedWeights encode(ModelConfig config, Map<String, float[]> values) {
        Map<String, Shape> shapes = TransformerModel.shapes(config);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeUTF(config.toJson());
            out.writeInt(values.size());
            for (Map.Entry<String, float[]> e : values.entrySet()) {
                out.writeUTF(e.getKey());
                long[] dims = shapes.get(e.getKey()).getShape();
                out.writeInt(dims.length);
                for (long d : dims) out.writeLong(d);
                ByteBuffer buffer = ByteBuffer.allocate(e.getValue().length * 4).order(ByteOrder.LITTLE_ENDIAN);
                buffer.asFloatBuffer().put(e.getValue());
                out.write(buffer.array());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] payload = bytes.toByteArray();
        return new EncodedWeights(config, payload, sha256(payload));
    }

    /** Verifies and builds the model in a sub-manager of {@code manager}. */
    public static TransformerModel decode(EncodedWeights weights, NDManager manager) {
        return TransformerModel.fromValues(weights.config(), manager, decodeValues(weights));
    }

    /** Verifies digest, config and shapes; returns the named values in payload order. */
    public static Map<String, float[]> decodeValues(EncodedWeights weights) {
        String actual = sha256(weights.payload());
        if (!actual.equals(weights.sha256())) {
            throw new WeightsMismatchException("weights SHA-256 mismatch: expected " + weights.sha256() + ", payload has " + actual);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(weights.payload()))) {
            if (in.readInt() != MAGIC) throw new WeightsMismatchException("not a treepo weights payload (bad magic)");
            ModelConfig stored = ModelConfig.fromJson(in.readUTF());
            if (!stored.equals(weights.config())) {
                throw new WeightsMismatchException(
                        "weights config mismatch (expected != payload): " + weights.config().differences(stored));
            }
            Map<String, Shape> shapes = TransformerModel.shapes(stored);
            int count = in.readInt();
            if (count != shapes.size()) {
                throw new WeightsMismatchException("payload has " + count + " parameters, the config needs " + shapes.size());
            }
            Map<String, float[]> values = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                long[] dims = new long[in.readInt()];
                for (int d = 0; d < dims.length; d++) dims[d] = in.readLong();
                Shape expected = shapes.get(name);
                if (expected == null || !expected.equals(new Shape(dims))) {
                    throw new WeightsMismatchException("parameter " + name + " has shape " + new Shape(dims)
                            + ", the config needs " + (expected == null ? "no such parameter" : expected));
                }
                byte[] raw = new byte[Math.toIntExact(expected.size() * 4)];
                in.readFully(raw);
                float[] v = new float[raw.length / 4];
                ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                values.put(name, v);
            }
            return values;
        } catch (IOException e) {
            throw new WeightsMismatchException("weights payload is truncated or malformed: " + e);
        }
    }

    public static String sha256(byte[] payload) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
