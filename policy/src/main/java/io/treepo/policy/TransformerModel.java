package io.treepo.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A GPT-style decoder-only transformer over plain NDArrays (nanoGPT's shape): token + learned
 * position embeddings, {@code layers} pre-norm blocks of causal self-attention and a GELU MLP,
 * a final LayerNorm and a head tied to the token embedding. No biases except LayerNorm's.
 *
 * <p>One forward pass serves training (no cache: attend over the pass's own keys) and decoding
 * (a {@link KvSink} hands each layer's new keys/values to a cache and returns what to attend
 * over). Parameters live in the model's own manager; results of a pass are attached to the input
 * tokens' manager, so callers run passes inside a sub-manager or {@code NDScope} of their own.
 *
 * <p>Shapes: B batch, T new tokens, S keys attended over, C width, H heads, D = C / H, V vocab.
 *
 * <p>Attention runs over groups of K rows, G = B / K (rows g*K .. g*K+K-1 form group g): a group's
 * rows attend over one shared run of keys, so keys several rows share (the prefix of sibling
 * branches) are stored and read once per group instead of once per row. The T*K queries of a group
 * are ordered (t, k), and so are the T*K keys and values a pass hands to its {@link KvSink}; the
 * mask decides which of a group's keys each of its rows sees. K = 1 is plain per-row attention.
 * Group-major, (G, H, ...): a decoder's key/value buffer narrowed to its first groups (a view, when
 * finished groups drop out) still folds (G, H) into one batch dimension for the matmuls, so nothing
 * is copied.
 */
public final class TransformerModel implements AutoCloseable {
    /** Added to masked attention scores: large but finite, so a fully masked (padding) row stays finite. */
    public static final float MASKED = -1e9f;
    private static final float LAYER_NORM_EPS = 1e-5f;
    /** Index of keys and values in qkv (3, G, H, T*K, D), and of a sequence's last position in (B, T, C): built once, as string indices are parsed on every use. */
    private static final NDIndex KEYS_VALUES = new NDIndex().addSliceDim(1, 3);
    private static final NDIndex LAST_POSITION = new NDIndex().addAllDim().addIndices(-1);

    private final ModelConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> parameters;

    /** Where one layer's keys/values go during a pass, and what that layer attends over. */
    @FunctionalInterface
    public interface KvSink {
        /**
         * @param keysValues (2, G, H, T*K, D) keys [0] and values [1] of this pass's tokens, ordered (t, k)
         * @return (2, G, H, S, D) keys and values each group attends over
         */
        NDArray attend(int layer, NDArray keysValues);
    }

    /** No cache: every token attends over the pass's own tokens (training, full recompute). */
    public static final KvSink NO_CACHE = (layer, keysValues) -> keysValues;

    private TransformerModel(ModelConfig config, NDManager manager, Map<String, NDArray> parameters) {
        this.config = config;
        this.manager = manager;
        this.parameters = Collections.unmodifiableMap(parameters);
    }

    /** Fresh weights: N(0, 0.02), residual projections scaled by 1/sqrt(2 layers) (GPT-2), norms at 1. */
    public static TransformerModel initialize(ModelConfig config, NDManager parent, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, float[]> values = new LinkedHashMap<>();
        float residualStd = (float) (0.02 / Math.sqrt(2.0 * config.layers()));
        shapes(config).forEach((name, shape) -> {
            float[] v = new float[Math.toIntExact(shape.size())];
            if (name.endsWith("norm.weight")) {
                java.util.Arrays.fill(v, 1f);
            } else if (!name.endsWith("norm.bias")) {
                float std = name.endsWith("attn.out") || name.endsWith("mlp.down") ? residualStd : 0.02f;
                for (int i = 0; i < v.length; i++) v[i] = (float) (random.nextGaussian() * std);
            }
            values.put(name, v);
        });
        return fromValues(config, parent, values);
    }

    /** A model from named values (as {@link #toValues()} gives); names and sizes must match the config. */
    public static TransformerModel fromValues(ModelConfig config, NDManager parent, Map<String, float[]> values) {
        Map<String, Shape> shapes = shapes(config);
        if (!shapes.keySet().equals(values.keySet())) {
            throw new IllegalArgumentException("parameter names differ from the config's: expected " + shapes.keySet()
                    + ", got " + values.keySet());
        }
        NDManager manager = parent.newSubManager();
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> {
            float[] v = values.get(name);
            if (v.length != shape.size()) {
                manager.close();
                throw new IllegalArgumentException(
                        "parameter " + name + " has " + v.length + " values, the config needs " + shape + " = " + shape.size());
            }
            parameters.put(name, manager.create(v, shape));
        });
        return new TransformerModel(config, manager, parameters);
    }

    /** Parameter names and shapes of a config, in a fixed order (the order of the weights payload). */
    public static Map<String, Shape> shapes(ModelConfig c) {
        int w = c.width();
        Map<String, Shape> s = new LinkedHashMap<>();
        s.put("embed.tokens", new Shape(c.vocabSize(), w));
        s.put("embed.positions", new Shape(c.contextLength(), w));
        for (int l = 0; l < c.layers(); l++) {
            String p = "block" + l + ".";
            s.put(p + "attn.norm.weight", new Shape(w));
            s.put(p + "attn.norm.bias", new Shape(w));
            s.put(p + "attn.qkv", new Shape(w, 3L * w));
            s.put(p + "attn.out", new Shape(w, w));
            s.put(p + "mlp.norm.weight", new Shape(w));
            s.put(p + "mlp.norm.bias", new Shape(w));
            s.put(p + "mlp.up", new Shape(w, (long) w * c.mlpRatio()));
            s.put(p + "mlp.down", new Shape((long) w * c.mlpRatio(), w));
        }
        s.put("final.norm.weight", new Shape(w));
        s.put("final.norm.bias", new Shape(w));
        return s;
    }

    /** One pass with one row per group (K = 1): see {@link #forward(NDArray, NDArray, NDArray, KvSink, boolean, int)}. */
    public NDArray forward(NDArray tokens, NDArray positions, NDArray mask, KvSink kv, boolean lastOnly) {
        return forward(tokens, positions, mask, kv, lastOnly, 1);
    }

    /**
     * One pass.
     *
     * @param tokens (B, T) int64 token ids; B a multiple of {@code groupSize}
     * @param positions (B, T) int64 position of each token in its sequence (< contextLength)
     * @param mask additive attention mask, (G or 1, 1, T*K, S), queries ordered (t, k): 0 where a
     *     query may attend, {@link #MASKED} elsewhere
     * @param lastOnly compute logits for the last of the T positions only
     * @param groupSize K, the rows that attend over one shared run of keys
     * @return logits, (B, T, V), or (B, V) when {@code lastOnly}
     */
    public NDArray forward(NDArray tokens, NDArray positions, NDArray mask, KvSink kv, boolean lastOnly, int groupSize) {
        long b = tokens.getShape().get(0);
        long t = tokens.getShape().get(1);
        long k = groupSize;
        long g = b / k;
        if (g * k != b) {
            throw new IllegalArgumentException("batch " + b + " is not a multiple of the group size " + k);
        }
        int c = config.width();
        int h = config.heads();
        int d = config.headSize();
        float scale = (float) (1.0 / Math.sqrt(d));
        NDManager out = tokens.getManager();
        NDArray x = p("embed.tokens").get(out, new NDIndex("{}", tokens)).add(p("embed.positions").get(out, new NDIndex("{}", positions))); // (B, T, C)
        for (int l = 0; l < config.layers(); l++) {
            String pre = "block" + l + ".";
            // attention: (B, T, C) -> (G, K, T, 3, H, D) -> qkv (3, G, H, T*K, D)
            NDArray a = layerNorm(x, pre + "attn.norm");
            NDArray qkv = a.matMul(p(pre + "attn.qkv")).reshape(g, k, t, 3, h, d).transpose(3, 0, 4, 2, 1, 5).reshape(3, g, h, t * k, d);
            NDArray q = qkv.get(0).mul(scale); // (G, H, T*K, D)
            NDArray keysValues = kv.attend(l, qkv.get(KEYS_VALUES)); // (2, G, H, S, D)
            NDArray att = q.matMul(keysValues.get(0).transpose(0, 1, 3, 2)).add(mask).softmax(-1); // (G, H, T*K, S)
            NDArray y = att.matMul(keysValues.get(1)) // (G, H, T*K, D) -> (G, K, T, H, D) -> (B, T, C)
                    .reshape(g, h, t, k, d).transpose(0, 3, 2, 1, 4).reshape(b, t, c);
            x = x.add(y.matMul(p(pre + "attn.out")));
            // MLP: (B, T, C) -> (B, T, ratio*C) -> (B, T, C)
            NDArray m = layerNorm(x, pre + "mlp.norm").matMul(p(pre + "mlp.up"));
            x = x.add(m.getNDArrayInternal().gelu().matMul(p(pre + "mlp.down")));
        }
        if (lastOnly && t > 1) {
            x = x.get(LAST_POSITION).expandDims(1); // (B, 1, C)
        }
        NDArray logits = layerNorm(x, "final.norm").matMul(p("embed.tokens").transpose()); // (B, T', V)
        return lastOnly ? logits.squeeze(1) : logits;
    }

    /**
     * Logits of full sequences without a cache, right-padded rows: what training and the
     * recompute baseline run. Padding sits after each row's tokens, so causality alone keeps it
     * from affecting real positions.
     *
     * @param tokens (B, T) int64
     * @return (B, T, V)
     */
    public NDArray forwardFull(NDArray tokens) {
        NDManager m = tokens.getManager();
        long t = tokens.getShape().get(1);
        NDArray positions = m.arange(0, (int) t, 1, DataType.INT64).expandDims(0).repeat(0, tokens.getShape().get(0));
        return forward(tokens, positions, causalMask(m, (int) t), NO_CACHE, false);
    }

    /** (1, 1, T, T) additive mask: query i may attend to keys j <= i. */
    public static NDArray causalMask(NDManager m, int t) {
        NDArray query = m.arange(t).expandDims(1); // (T, 1)
        NDArray key = m.arange(t).expandDims(0); // (1, T)
        return key.gt(query).toType(DataType.FLOAT32, false).mul(MASKED).reshape(1, 1, t, t);
    }

    private NDArray layerNorm(NDArray x, String name) {
        return x.getNDArrayInternal()
                .layerNorm(x, new Shape(config.width()), p(name + ".weight"), p(name + ".bias"), LAYER_NORM_EPS)
                .singletonOrThrow();
    }

    private NDArray p(String name) {
        return parameters.get(name);
    }

    public ModelConfig config() {
        return config;
    }

    /**
     * Attaches gradients to every parameter. Only the trainer does this: a decoding model without
     * gradients builds no autograd graph, whatever the thread's grad mode.
     */
    void makeTrainable() {
        parameters.values().forEach(p -> p.setRequiresGradient(true));
    }

    /** The parameter arrays, in payload order. */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** A copy of every parameter's values, in payload order. */
    public Map<String, float[]> toValues() {
        Map<String, float[]> values = new LinkedHashMap<>();
        parameters.forEach((name, p) -> values.put(name, p.toFloatArray()));
        return values;
    }

    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }
}
