package io.treepo.policy;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shape of the decoder-only transformer. Immutable and validated; travels with the weights (as
 * {@link #toJson()}) so a receiver can refuse weights built for another shape.
 *
 * @param layers transformer blocks
 * @param width model (embedding) width; a multiple of {@code heads}
 * @param heads attention heads
 * @param contextLength the most positions a sequence may use (learned position embeddings)
 * @param vocabSize token ids are in [0, vocabSize)
 * @param mlpRatio hidden width of the feed-forward layer, as a multiple of {@code width}
 */
public record ModelConfig(int layers, int width, int heads, int contextLength, int vocabSize, int mlpRatio) {

    public ModelConfig {
        positive("layers", layers);
        positive("width", width);
        positive("heads", heads);
        positive("contextLength", contextLength);
        positive("vocabSize", vocabSize);
        positive("mlpRatio", mlpRatio);
        if (width % heads != 0) {
            throw new IllegalArgumentException("width (" + width + ") must be a multiple of heads (" + heads + ")");
        }
    }

    /**
     * The default policy: small enough that a few minutes of supervised warm-up on two CPU cores
     * teach it the arithmetic format, large enough to reach a useful accuracy.
     */
    public static ModelConfig defaultSmall() {
        return new ModelConfig(4, 128, 4, 256, ByteTokenizer.VOCAB_SIZE, 4);
    }

    /** About three times the default's parameters (6 layers, width 192): a larger policy to try, three times slower. */
    public static ModelConfig medium() {
        return new ModelConfig(6, 192, 6, 256, ByteTokenizer.VOCAB_SIZE, 4);
    }

    /** For tests: milliseconds per forward pass. */
    public static ModelConfig tiny() {
        return new ModelConfig(2, 32, 2, 64, ByteTokenizer.VOCAB_SIZE, 2);
    }

    public int headSize() {
        return width / heads;
    }

    /** Number of trainable scalars. */
    public long parameterCount() {
        long perLayer = 2L * 2 * width + 4L * width * width + 2L * width * width * mlpRatio;
        return (long) vocabSize * width + (long) contextLength * width + layers * perLayer + 2L * width;
    }

    public String toJson() {
        return "{\"layers\":" + layers + ",\"width\":" + width + ",\"heads\":" + heads + ",\"contextLength\":"
                + contextLength + ",\"vocabSize\":" + vocabSize + ",\"mlpRatio\":" + mlpRatio + "}";
    }

    /** Parses {@link #toJson()}'s flat object of integers; unknown or missing keys are refused. */
    public static ModelConfig fromJson(String json) {
        String body = json.strip();
        if (!body.startsWith("{") || !body.endsWith("}")) {
            throw new IllegalArgumentException("model config JSON must be an object, got: " + json);
        }
        Map<String, Integer> values = new LinkedHashMap<>();
        for (String pair : body.substring(1, body.length() - 1).split(",")) {
            if (pair.isBlank()) continue;
            String[] kv = pair.split(":", 2);
            if (kv.length != 2) throw new IllegalArgumentException("model config JSON: bad member '" + pair.strip() + "'");
            String key = kv[0].strip().replace("\"", "");
            try {
                values.put(key, Integer.parseInt(kv[1].strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("model config JSON: " + key + " must be an integer, got " + kv[1].strip());
            }
        }
        ModelConfig config = new ModelConfig(
                require(values, "layers"), require(values, "width"), require(values, "heads"),
                require(values, "contextLength"), require(values, "vocabSize"), require(values, "mlpRatio"));
        if (!values.isEmpty()) {
            throw new IllegalArgumentException("model config JSON: unknown keys " + values.keySet());
        }
        return config;
    }

    /** The fields in which {@code other} differs from this, as "name this != other", for error messages. */
    public String differences(ModelConfig other) {
        StringBuilder out = new StringBuilder();
        diff(out, "layers", layers, other.layers);
        diff(out, "width", width, other.width);
        diff(out, "heads", heads, other.heads);
        diff(out, "contextLength", contextLength, other.contextLength);
        diff(out, "vocabSize", vocabSize, other.vocabSize);
        diff(out, "mlpRatio", mlpRatio, other.mlpRatio);
        return out.toString();
    }

    private static void diff(StringBuilder out, String name, int mine, int theirs) {
        if (mine != theirs) {
            out.append(out.length() == 0 ? "" : ", ").append(name).append(' ').append(mine).append(" != ").append(theirs);
        }
    }

    private static int require(Map<String, Integer> values, String key) {
        Integer v = values.remove(key);
        if (v == null) throw new IllegalArgumentException("model config JSON: missing key " + key);
        return v;
    }

    private static void positive(String name, int value) {
        if (value < 1) throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }
}
