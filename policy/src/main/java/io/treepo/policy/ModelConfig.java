package io.treepo.policy;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Shape of the Qwen-family decoder ({@link TransformerModel}): Qwen1.5, Qwen2 and Qwen2.5 (model
 * type {@code qwen2}: biases on q/k/v) and Qwen3 (model type {@code qwen3}: RMSNorm on each head's
 * queries and keys). Immutable and validated; its JSON is a Hugging Face {@code config.json}, which
 * is also what travels with the weights, so a receiver can refuse weights built for another shape.
 *
 * @param layers decoder blocks ({@code num_hidden_layers})
 * @param hidden residual stream width ({@code hidden_size})
 * @param heads query heads ({@code num_attention_heads})
 * @param kvHeads key/value heads, a divisor of {@code heads} ({@code num_key_value_heads}; grouped-query attention when fewer)
 * @param headDim width of one head ({@code head_dim}; hidden / heads in Qwen2, free in Qwen3)
 * @param intermediate SwiGLU hidden width ({@code intermediate_size})
 * @param vocabSize token ids are in [0, vocabSize)
 * @param contextLength the most positions a sequence may use ({@code max_position_embeddings})
 * @param ropeTheta base of the rotary position frequencies
 * @param rmsNormEps epsilon of every RMSNorm
 * @param tiedEmbeddings the output head reuses the token embedding ({@code tie_word_embeddings})
 * @param qkvBias biases on the q/k/v projections (always in Qwen2; {@code attention_bias} in Qwen3)
 * @param qkNorm RMSNorm over each head's queries and keys before the rotation (Qwen3)
 * @param softMoe Steel-LLM's Soft-MoE feed-forward in place of the SwiGLU MLP ({@code FFN_type: softmoe_v3});
 *     null for the plain MLP
 */
public record ModelConfig(
        int layers, int hidden, int heads, int kvHeads, int headDim, int intermediate, int vocabSize, int contextLength,
        double ropeTheta, double rmsNormEps, boolean tiedEmbeddings, boolean qkvBias, boolean qkNorm, SoftMoe softMoe) {

    /**
     * Steel-LLM's feed-forward ({@code softmoe_v3} over {@code mlp_type: senet} experts): {@code experts}
     * SENet experts of width {@code intermediate_size / mlp_div_ratio}, each with {@code slotsPerExpert}
     * slots whose keys are the columns of {@code phi}. See {@link TransformerModel} for why every token
     * is dispatched on its own.
     *
     * @param experts {@code n_experts}
     * @param slotsPerExpert {@code slots_per_expert} (1 in Steel-LLM)
     * @param mlpDivRatio {@code mlp_div_ratio}: an expert is this many times narrower than {@code intermediate_size}
     */
    public record SoftMoe(int experts, int slotsPerExpert, int mlpDivRatio) {
        public SoftMoe {
            positive("n_experts", experts);
            positive("slots_per_expert", slotsPerExpert);
            positive("mlp_div_ratio", mlpDivRatio);
        }

        public int slots() {
            return experts * slotsPerExpert;
        }
    }

    /** A Qwen model with the plain SwiGLU MLP. */
    public ModelConfig(int layers, int hidden, int heads, int kvHeads, int headDim, int intermediate, int vocabSize, int contextLength,
            double ropeTheta, double rmsNormEps, boolean tiedEmbeddings, boolean qkvBias, boolean qkNorm) {
        this(layers, hidden, heads, kvHeads, headDim, intermediate, vocabSize, contextLength, ropeTheta, rmsNormEps,
                tiedEmbeddings, qkvBias, qkNorm, null);
    }

    public ModelConfig {
        positive("num_hidden_layers", layers);
        positive("hidden_size", hidden);
        positive("num_attention_heads", heads);
        positive("num_key_value_heads", kvHeads);
        positive("head_dim", headDim);
        positive("intermediate_size", intermediate);
        positive("vocab_size", vocabSize);
        positive("max_position_embeddings", contextLength);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads (" + heads + ") must be a multiple of num_key_value_heads (" + kvHeads + ")");
        }
        if (headDim % 2 != 0) throw new IllegalArgumentException("head_dim must be even (rotary pairs), got " + headDim);
        if (!(ropeTheta > 1)) throw new IllegalArgumentException("rope_theta must be > 1, got " + ropeTheta);
        if (!(rmsNormEps > 0)) throw new IllegalArgumentException("rms_norm_eps must be > 0, got " + rmsNormEps);
        if (!qkNorm && !qkvBias) {
            throw new IllegalArgumentException("a qwen2 model (no q/k norm) has q/k/v biases: set qkvBias, or qkNorm for qwen3");
        }
        if (softMoe != null && intermediate / softMoe.mlpDivRatio() < 1) {
            throw new IllegalArgumentException("intermediate_size (" + intermediate + ") / mlp_div_ratio (" + softMoe.mlpDivRatio()
                    + ") leaves the experts no width");
        }
    }

    private static final String SOFT_MOE = "softmoe_v3";
    private static final String SENET = "senet";

    /**
     * The default policy (Qwen2 layout, byte vocabulary): small enough that a few minutes of
     * supervised warm-up on two CPU cores teach it the arithmetic format, large enough to reach a
     * useful accuracy. Two key/value heads for four query heads halve the keys and values that
     * decoding reads, which is what bounds it.
     */
    public static ModelConfig defaultSmall() {
        return qwen2(4, 128, 4, 2, 384, 256);
    }

    /** About three times the default's parameters (6 layers, width 192): a larger policy to try, three times slower. */
    public static ModelConfig medium() {
        return qwen2(6, 192, 6, 2, 576, 256);
    }

    /** For tests: milliseconds per forward pass. */
    public static ModelConfig tiny() {
        return qwen2(2, 32, 2, 1, 64, 64);
    }

    /** A tiny Qwen3 layout (q/k norm, no biases, untied head, head_dim not hidden / heads): for tests and smoke runs. */
    public static ModelConfig qwen3Tiny() {
        return new ModelConfig(2, 32, 4, 2, 12, 64, ByteTokenizer.VOCAB_SIZE, 64, 1_000_000, 1e-6, false, false, true);
    }

    /**
     * A tiny Steel-LLM layout (Qwen1.5 attention without grouped queries, untied head, rope_theta 1e6,
     * Soft-MoE feed-forward of SENet experts as in Steel's config.json, 6 experts a quarter as wide
     * as intermediate_size, one slot each): for tests and smoke runs.
     */
    public static ModelConfig steelTiny() {
        return new ModelConfig(2, 32, 2, 2, 16, 64, ByteTokenizer.VOCAB_SIZE, 64, 1_000_000, 1e-6, false, true, false,
                new SoftMoe(6, 1, 4));
    }

    private static ModelConfig qwen2(int layers, int hidden, int heads, int kvHeads, int intermediate, int context) {
        return new ModelConfig(layers, hidden, heads, kvHeads, hidden / heads, intermediate, ByteTokenizer.VOCAB_SIZE, context,
                10_000, 1e-6, true, true, false);
    }

    /** The same shape with another depth. */
    public ModelConfig withLayers(int layers) {
        return new ModelConfig(layers, hidden, heads, kvHeads, headDim, intermediate, vocabSize, contextLength,
                ropeTheta, rmsNormEps, tiedEmbeddings, qkvBias, qkNorm, softMoe);
    }

    /** {@code qwen3} when the model normalises queries and keys, else {@code qwen2} (Qwen1.5, Qwen2, Qwen2.5). */
    public String modelType() {
        return qkNorm ? "qwen3" : "qwen2";
    }

    /** Query heads per key/value head. */
    public int queryGroups() {
        return heads / kvHeads;
    }

    /** Width of one Soft-MoE expert ({@code intermediate_size / mlp_div_ratio}); 0 without Soft-MoE. */
    public int expertIntermediate() {
        return softMoe == null ? 0 : intermediate / softMoe.mlpDivRatio();
    }

    /** Weight-matrix scalars of one layer's attention projections (q, k, v, out). */
    public long attentionWeights() {
        long q = (long) heads * headDim;
        long kv = (long) kvHeads * headDim;
        return hidden * (q + 2 * kv) + q * hidden;
    }

    /** Weight-matrix scalars of one layer's feed-forward: SwiGLU's three, or every expert's four plus the slot keys. */
    public long feedForwardWeights() {
        return softMoe == null
                ? 3L * hidden * intermediate
                : (long) softMoe.experts() * 4 * hidden * expertIntermediate() + (long) hidden * softMoe.slots();
    }

    /** Number of trainable scalars. */
    public long parameterCount() {
        long q = (long) heads * headDim;
        long kv = (long) kvHeads * headDim;
        long attention = attentionWeights() + (qkvBias ? q + 2 * kv : 0) + (qkNorm ? 2L * headDim : 0);
        long perLayer = attention + feedForwardWeights() + (softMoe == null ? 0 : 1) + 2L * hidden; // + the Soft-MoE scale, two norms
        return (long) vocabSize * hidden * (tiedEmbeddings ? 1 : 2) + layers * perLayer + hidden;
    }

    /** The config as a Hugging Face {@code config.json} (one line). */
    public String toJson() {
        JsonObject o = new JsonObject();
        o.add("architectures", JsonParser.parseString(qkNorm ? "[\"Qwen3ForCausalLM\"]" : "[\"Qwen2ForCausalLM\"]"));
        o.addProperty("model_type", modelType());
        o.addProperty("num_hidden_layers", layers);
        o.addProperty("hidden_size", hidden);
        o.addProperty("num_attention_heads", heads);
        o.addProperty("num_key_value_heads", kvHeads);
        o.addProperty("head_dim", headDim);
        o.addProperty("intermediate_size", intermediate);
        o.addProperty("vocab_size", vocabSize);
        o.addProperty("max_position_embeddings", contextLength);
        o.addProperty("rope_theta", ropeTheta);
        o.addProperty("rms_norm_eps", rmsNormEps);
        o.addProperty("tie_word_embeddings", tiedEmbeddings);
        if (qkNorm) o.addProperty("attention_bias", qkvBias);
        o.addProperty("hidden_act", "silu");
        if (softMoe != null) {
            o.addProperty("FFN_type", SOFT_MOE);
            o.addProperty("mlp_type", SENET);
            o.addProperty("n_experts", softMoe.experts());
            o.addProperty("slots_per_expert", softMoe.slotsPerExpert());
            o.addProperty("mlp_div_ratio", softMoe.mlpDivRatio());
        }
        o.addProperty("use_sliding_window", false);
        o.add("rope_scaling", com.google.gson.JsonNull.INSTANCE);
        o.addProperty("attention_dropout", 0.0);
        o.addProperty("torch_dtype", "float32");
        return new GsonBuilder().serializeNulls().create().toJson(o);
    }

    /**
     * Parses a Hugging Face {@code config.json} of a supported model (what {@link #toJson()} writes,
     * and the configs of Qwen1.5/2/2.5/3 and Steel-LLM checkpoints). Anything this decoder does not
     * implement is refused in one line naming the field: another model type, rope scaling, a sliding
     * window, an activation other than SiLU, another Steel feed-forward.
     */
    public static ModelConfig fromJson(String json) {
        JsonObject o;
        try {
            o = JsonParser.parseString(json).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("config.json is not a JSON object: " + e.getMessage());
        }
        String type = string(o, "model_type", null);
        if (!"qwen2".equals(type) && !"qwen3".equals(type)) {
            throw new IllegalArgumentException("config.json: model_type " + (type == null ? "is missing" : "'" + type + "' is not supported")
                    + " (supported: qwen2 for Qwen1.5, Qwen2 and Qwen2.5; qwen3)");
        }
        String act = string(o, "hidden_act", "silu");
        if (!act.equals("silu")) throw new IllegalArgumentException("config.json: hidden_act '" + act + "' is not supported (only silu)");
        if (o.has("rope_scaling") && !o.get("rope_scaling").isJsonNull()) {
            throw new IllegalArgumentException("config.json: rope_scaling " + o.get("rope_scaling") + " is not supported (only null)");
        }
        SoftMoe softMoe = softMoe(o);
        if (bool(o, "use_sliding_window", false)) {
            throw new IllegalArgumentException("config.json: use_sliding_window true is not supported");
        }
        boolean qwen3 = type.equals("qwen3");
        int hidden = integer(o, "hidden_size", null);
        int heads = integer(o, "num_attention_heads", null);
        return new ModelConfig(
                integer(o, "num_hidden_layers", null),
                hidden,
                heads,
                integer(o, "num_key_value_heads", heads),
                o.has("head_dim") && !o.get("head_dim").isJsonNull() ? integer(o, "head_dim", null) : hidden / heads,
                integer(o, "intermediate_size", null),
                integer(o, "vocab_size", null),
                integer(o, "max_position_embeddings", null),
                number(o, "rope_theta", 10_000.0),
                number(o, "rms_norm_eps", 1e-6),
                bool(o, "tie_word_embeddings", false),
                qwen3 ? bool(o, "attention_bias", false) : true,
                qwen3,
                softMoe);
    }

    /** Steel-LLM's config.json says qwen2 and swaps the MLP through these fields. */
    private static SoftMoe softMoe(JsonObject o) {
        String ffn = string(o, "FFN_type", null);
        if (ffn == null) return null;
        if (!ffn.equals(SOFT_MOE)) {
            throw new IllegalArgumentException("config.json: FFN_type '" + ffn + "' is not supported (only " + SOFT_MOE + ", Steel-LLM's Soft-MoE)");
        }
        String experts = string(o, "mlp_type", null);
        if (!SENET.equals(experts)) {
            throw new IllegalArgumentException("config.json: mlp_type " + (experts == null ? "is missing" : "'" + experts + "' is not supported")
                    + " (only " + SENET + ", the experts of Steel-LLM's Soft-MoE)");
        }
        return new SoftMoe(integer(o, "n_experts", null), integer(o, "slots_per_expert", 1), integer(o, "mlp_div_ratio", null));
    }

    /** The fields in which {@code other} differs from this, as "name this != other", for error messages. */
    public String differences(ModelConfig other) {
        Map<String, Function<ModelConfig, Object>> fields = new LinkedHashMap<>();
        fields.put("num_hidden_layers", ModelConfig::layers);
        fields.put("hidden_size", ModelConfig::hidden);
        fields.put("num_attention_heads", ModelConfig::heads);
        fields.put("num_key_value_heads", ModelConfig::kvHeads);
        fields.put("head_dim", ModelConfig::headDim);
        fields.put("intermediate_size", ModelConfig::intermediate);
        fields.put("vocab_size", ModelConfig::vocabSize);
        fields.put("max_position_embeddings", ModelConfig::contextLength);
        fields.put("rope_theta", ModelConfig::ropeTheta);
        fields.put("rms_norm_eps", ModelConfig::rmsNormEps);
        fields.put("tie_word_embeddings", ModelConfig::tiedEmbeddings);
        fields.put("q/k/v bias", ModelConfig::qkvBias);
        fields.put("q/k norm", ModelConfig::qkNorm);
        fields.put("Soft-MoE", c -> String.valueOf(c.softMoe()));
        List<String> out = fields.entrySet().stream()
                .filter(f -> !f.getValue().apply(this).equals(f.getValue().apply(other)))
                .map(f -> f.getKey() + " " + f.getValue().apply(this) + " != " + f.getValue().apply(other))
                .toList();
        return String.join(", ", out);
    }

    private static JsonPrimitive primitive(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) return null;
        if (!e.isJsonPrimitive()) throw new IllegalArgumentException("config.json: " + key + " must be a single value, got " + e);
        return e.getAsJsonPrimitive();
    }

    private static int integer(JsonObject o, String key, Integer fallback) {
        JsonPrimitive p = primitive(o, key);
        if (p == null) {
            if (fallback == null) throw new IllegalArgumentException("config.json: " + key + " is missing");
            return fallback;
        }
        if (!p.isNumber() || p.getAsDouble() != Math.rint(p.getAsDouble())) {
            throw new IllegalArgumentException("config.json: " + key + " must be an integer, got " + p);
        }
        return p.getAsInt();
    }

    private static double number(JsonObject o, String key, double fallback) {
        JsonPrimitive p = primitive(o, key);
        if (p == null) return fallback;
        if (!p.isNumber()) throw new IllegalArgumentException("config.json: " + key + " must be a number, got " + p);
        return p.getAsDouble();
    }

    private static boolean bool(JsonObject o, String key, boolean fallback) {
        JsonPrimitive p = primitive(o, key);
        if (p == null) return fallback;
        if (!p.isBoolean()) throw new IllegalArgumentException("config.json: " + key + " must be true or false, got " + p);
        return p.getAsBoolean();
    }

    private static String string(JsonObject o, String key, String fallback) {
        JsonPrimitive p = primitive(o, key);
        return p == null ? fallback : p.getAsString();
    }

    private static void positive(String name, int value) {
        if (value < 1) throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }
}
