package io.treepo.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The Qwen-family decoder over plain NDArrays (Hugging Face's {@code Qwen2ForCausalLM} and
 * {@code Qwen3ForCausalLM}): token embedding, {@code layers} pre-norm blocks of grouped-query
 * causal self-attention with rotary positions and a SwiGLU MLP, RMSNorm everywhere, a final norm
 * and a head (tied to the embedding or its own). See {@link ModelConfig} for the variants.
 *
 * <p>Steel-LLM swaps the MLP for a Soft-MoE ({@code softmoe_v3}) whose dispatch softmax runs over the
 * tokens of a pass: in its own code a token's output depends on the tokens after it, so its full
 * forward is not causal and no autoregressive sampler can draw from it. What Steel computes when it
 * decodes with a cache is one token per pass, where that softmax is 1. This decoder always computes
 * that: every token is dispatched on its own, in training, prefill and decoding alike, so the layer
 * is causal, cached decoding equals a full pass and sampling log-probs equal training log-probs.
 * It differs from Steel's own code only where Steel passes several tokens at once (its pretraining,
 * and a multi-token prompt's prefill in its {@code generate}).
 *
 * <p>One forward pass serves training (no cache: attend over the pass's own keys) and decoding
 * (a {@link KvSink} hands each layer's new keys/values to a cache and returns what to attend
 * over). Parameters live in the model's own manager; results of a pass are attached to the input
 * tokens' manager, so callers run passes inside a sub-manager or {@code NDScope} of their own.
 *
 * <p>Shapes: B batch, T new tokens, S keys attended over, C hidden, H query heads, N key/value
 * heads, R = H / N query heads per key/value head, D head width, I intermediate width, V vocab.
 *
 * <p>Parameters are kept fused where Hugging Face keeps them apart (q, k and v in one matrix, gate
 * and up in another, all stored (in, out)), so a layer runs two matmuls where it would run five;
 * {@link HuggingFaceCheckpoint} maps them to and from Hugging Face's names and (out, in) layout.
 *
 * <p>Attention runs over groups of K rows, G = B / K (rows g*K .. g*K+K-1 form group g): a group's
 * rows attend over one shared run of keys, so keys several rows share (the prefix of sibling
 * branches) are stored and read once per group instead of once per row. The T*K queries of a group
 * are ordered (t, k), and so are the T*K keys and values a pass hands to its {@link KvSink}; the
 * mask decides which of a group's keys each of its rows sees. K = 1 is plain per-row attention.
 * Group-major, (G, N, ...): a decoder's key/value buffer narrowed to its first groups (a view, when
 * finished groups drop out) still folds (G, N) into one batch dimension for the matmuls, so nothing
 * is copied. The R query heads of a key/value head are stacked along the query axis, so grouped-query
 * attention reads each key once for all of them.
 */
public final class TransformerModel implements AutoCloseable {
    /** Added to masked attention scores: large but finite, so a fully masked (padding) row stays finite. */
    public static final float MASKED = -1e9f;
    private static final NDIndex LAST_POSITION = new NDIndex().addAllDim().addIndices(-1);
    /** F.normalize's floor on a norm, so a zero vector stays zero. */
    private static final float NORM_FLOOR = 1e-12f;

    private final ModelConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> parameters;
    private final NDArray rotaryCos; // (contextLength, D): cos of each position's angles, halves repeated as HF lays them out
    private final NDArray rotarySin;
    private final NDArray rotateHalf; // (D, D): x.matMul(it) = HF's rotate_half(x) = cat(-x2, x1)

    /** Where one layer's keys/values go during a pass, and what that layer attends over. */
    @FunctionalInterface
    public interface KvSink {
        /**
         * @param keysValues (2, G, N, T*K, D) keys [0] (rotated) and values [1] of this pass's tokens, ordered (t, k)
         * @return (2, G, N, S, D) keys and values each group attends over
         */
        NDArray attend(int layer, NDArray keysValues);
    }

    /** No cache: every token attends over the pass's own tokens (training, full recompute). */
    public static final KvSink NO_CACHE = (layer, keysValues) -> keysValues;

    private TransformerModel(ModelConfig config, NDManager manager, Map<String, NDArray> parameters) {
        this.config = config;
        this.manager = manager;
        this.parameters = Collections.unmodifiableMap(parameters);
        int d = config.headDim();
        int half = d / 2;
        float[] cos = new float[config.contextLength() * d];
        float[] sin = new float[cos.length];
        for (int pos = 0; pos < config.contextLength(); pos++) {
            for (int i = 0; i < half; i++) {
                double angle = pos / Math.pow(config.ropeTheta(), 2.0 * i / d);
                cos[pos * d + i] = cos[pos * d + i + half] = (float) Math.cos(angle);
                sin[pos * d + i] = sin[pos * d + i + half] = (float) Math.sin(angle);
            }
        }
        this.rotaryCos = manager.create(cos, new Shape(config.contextLength(), d));
        this.rotarySin = manager.create(sin, new Shape(config.contextLength(), d));
        float[] rotate = new float[d * d]; // out[j] = -x[j + half] for j < half, x[j - half] otherwise
        for (int j = 0; j < half; j++) {
            rotate[(j + half) * d + j] = -1f;
            rotate[j * d + j + half] = 1f;
        }
        this.rotateHalf = manager.create(rotate, new Shape(d, d));
    }

    /**
     * Fresh weights: N(0, 0.02), residual projections (attention out, MLP or experts' down) scaled by
     * 1/sqrt(2 layers) (GPT-2), norm gains and the Soft-MoE scale at 1, biases at 0.
     */
    public static TransformerModel initialize(ModelConfig config, NDManager parent, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, float[]> values = new LinkedHashMap<>();
        float residualStd = (float) (0.02 / Math.sqrt(2.0 * config.layers()));
        shapes(config).forEach((name, shape) -> {
            float[] v = new float[Math.toIntExact(shape.size())];
            if (name.endsWith("norm") || name.endsWith("moe.scale")) {
                Arrays.fill(v, 1f);
            } else if (!name.endsWith("bias")) {
                float std = name.endsWith("attn.out") || name.endsWith("mlp.down") || name.endsWith("moe.down") ? residualStd : 0.02f;
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
        long qkv = (long) (c.heads() + 2 * c.kvHeads()) * c.headDim();
        Map<String, Shape> s = new LinkedHashMap<>();
        s.put("embed", new Shape(c.vocabSize(), c.hidden()));
        for (int l = 0; l < c.layers(); l++) {
            String p = "layer" + l + ".";
            s.put(p + "attn.norm", new Shape(c.hidden()));
            s.put(p + "attn.qkv", new Shape(c.hidden(), qkv));
            if (c.qkvBias()) s.put(p + "attn.qkv.bias", new Shape(qkv));
            if (c.qkNorm()) {
                s.put(p + "attn.q.norm", new Shape(c.headDim()));
                s.put(p + "attn.k.norm", new Shape(c.headDim()));
            }
            s.put(p + "attn.out", new Shape((long) c.heads() * c.headDim(), c.hidden()));
            s.put(p + "mlp.norm", new Shape(c.hidden()));
            if (c.softMoe() == null) {
                s.put(p + "mlp.gate_up", new Shape(c.hidden(), 2L * c.intermediate()));
                s.put(p + "mlp.down", new Shape(c.intermediate(), c.hidden()));
            } else {
                int n = c.softMoe().experts();
                int e = c.expertIntermediate();
                s.put(p + "moe.phi", new Shape(c.hidden(), c.softMoe().slots())); // slot keys, (C, n*P): HF's (d, n, p)
                s.put(p + "moe.scale", new Shape(1));
                s.put(p + "moe.gate_up", new Shape(c.hidden(), 2L * n * e)); // columns (expert, gate|up, E)
                s.put(p + "moe.down", new Shape(n, e, 2L * c.hidden())); // per expert, columns (gate|down, C)
            }
        }
        s.put("final.norm", new Shape(c.hidden()));
        if (!c.tiedEmbeddings()) s.put("head", new Shape(c.hidden(), c.vocabSize()));
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
        ModelConfig c = config;
        int h = c.heads();
        int n = c.kvHeads();
        int r = c.queryGroups();
        int d = c.headDim();
        float scale = (float) (1.0 / Math.sqrt(d));
        NDManager out = tokens.getManager();
        NDArray cos = rotaryCos.get(out, new NDIndex("{}", positions)).expandDims(2); // (B, T, 1, D)
        NDArray sin = rotarySin.get(out, new NDIndex("{}", positions)).expandDims(2);
        NDArray groupMask = mask.expandDims(2); // (G or 1, 1, 1, T*K, S): the same for the R query heads of a key/value head
        NDArray x = p("embed").get(out, new NDIndex("{}", tokens)); // (B, T, C)
        for (int l = 0; l < c.layers(); l++) {
            String pre = "layer" + l + ".";
            NDArray qkv = rmsNorm(x, p(pre + "attn.norm")).matMul(p(pre + "attn.qkv")); // (B, T, (H + 2N) * D)
            if (c.qkvBias()) qkv = qkv.add(p(pre + "attn.qkv.bias"));
            NDList split = qkv.reshape(b, t, h + 2L * n, d).split(new long[] {h, h + n}, 2);
            NDArray q = split.get(0); // (B, T, H, D)
            NDArray keys = split.get(1); // (B, T, N, D)
            if (c.qkNorm()) {
                q = rmsNorm(q, p(pre + "attn.q.norm"));
                keys = rmsNorm(keys, p(pre + "attn.k.norm"));
            }
            q = rotate(q, cos, sin).mul(scale);
            keys = rotate(keys, cos, sin);
            // (B, T, 2N, D) -> (G, K, T, 2, N, D) -> (2, G, N, T, K, D) -> (2, G, N, T*K, D)
            NDArray keysValues = kv.attend(l, keys.concat(split.get(2), 2)
                    .reshape(g, k, t, 2, n, d).transpose(3, 0, 4, 2, 1, 5).reshape(2, g, n, t * k, d)); // (2, G, N, S, D)
            // queries: (B, T, H, D) -> (G, K, T, N, R, D) -> (G, N, R, T, K, D) -> (G, N, R*T*K, D)
            NDArray queries = q.reshape(g, k, t, n, r, d).transpose(0, 3, 4, 2, 1, 5).reshape(g, n, r * t * k, d);
            long s = keysValues.getShape().get(3);
            NDArray att = queries.matMul(keysValues.get(0).transpose(0, 1, 3, 2)) // (G, N, R*T*K, S)
                    .reshape(g, n, r, t * k, s).add(groupMask).softmax(-1).reshape(g, n, r * t * k, s);
            NDArray y = att.matMul(keysValues.get(1)) // (G, N, R*T*K, D) -> (G, N, R, T, K, D) -> (G, K, T, N, R, D) -> (B, T, H*D)
                    .reshape(g, n, r, t, k, d).transpose(0, 4, 3, 1, 2, 5).reshape(b, t, (long) h * d);
            x = x.add(y.matMul(p(pre + "attn.out")));
            NDArray normed = rmsNorm(x, p(pre + "mlp.norm"));
            x = x.add(c.softMoe() == null ? swiGlu(normed, pre) : softMoe(normed, pre));
        }
        if (lastOnly && t > 1) {
            x = x.get(LAST_POSITION).expandDims(1); // (B, 1, C)
        }
        NDArray head = c.tiedEmbeddings() ? p("embed").transpose() : p("head");
        NDArray logits = rmsNorm(x, p("final.norm")).matMul(head); // (B, T', V)
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

    /** SwiGLU: (B, T, C) -> (B, T, 2I) -> down(silu(gate) * up) -> (B, T, C). */
    private NDArray swiGlu(NDArray x, String pre) {
        NDList gateUp = x.matMul(p(pre + "mlp.gate_up")).split(2, 2);
        return silu(gateUp.get(0)).mul(gateUp.get(1)).matMul(p(pre + "mlp.down"));
    }

    /**
     * Steel-LLM's Soft-MoE with each token dispatched on its own (see the class comment), (B, T, C)
     * -> (B, T, C). With one token the dispatch softmax is 1, so every slot of every expert holds
     * the token itself (unit length) and the output is the experts' SENet outputs weighted by the
     * combine softmax over all n*P slots, summed over each expert's slots. SENet:
     * {@code h = silu(gate_up(x)) * up(x)}, {@code out = silu(gate_down(h)) * down(h)}.
     */
    private NDArray softMoe(NDArray normed, String pre) {
        ModelConfig.SoftMoe moe = config.softMoe();
        long b = normed.getShape().get(0);
        long t = normed.getShape().get(1);
        long rows = b * t;
        int n = moe.experts();
        int e = config.expertIntermediate();
        NDArray x = unitLength(normed, -1); // (B, T, C)
        NDArray phi = unitLength(p(pre + "moe.phi"), 0).mul(p(pre + "moe.scale")); // (C, n*P), unit columns
        NDArray share = x.matMul(phi).softmax(-1).reshape(rows, n, moe.slotsPerExpert()).sum(new int[] {2}, true); // (B*T, n, 1)
        NDList gateUp = x.matMul(p(pre + "moe.gate_up")).reshape(rows, n, 2, e).split(2, 2); // (B*T, n, 1, E) each
        NDArray h = silu(gateUp.get(0)).mul(gateUp.get(1)).reshape(rows, n, e).transpose(1, 0, 2); // (n, B*T, E)
        NDList gateDown = h.matMul(p(pre + "moe.down")).split(2, 2); // (n, B*T, C) each
        NDArray experts = silu(gateDown.get(0)).mul(gateDown.get(1)).transpose(1, 0, 2); // (B*T, n, C)
        return experts.mul(share).sum(new int[] {1}).reshape(b, t, config.hidden());
    }

    private static NDArray silu(NDArray x) {
        return x.mul(x.getNDArrayInternal().sigmoid());
    }

    /** x / max(||x||, 1e-12) along one axis (PyTorch's F.normalize). */
    private static NDArray unitLength(NDArray x, int axis) {
        return x.div(x.square().sum(new int[] {axis}, true).sqrt().maximum(NORM_FLOOR));
    }

    /** (1, 1, T, T) additive mask: query i may attend to keys j <= i. */
    public static NDArray causalMask(NDManager m, int t) {
        NDArray query = m.arange(t).expandDims(1); // (T, 1)
        NDArray key = m.arange(t).expandDims(0); // (1, T)
        return key.gt(query).toType(DataType.FLOAT32, false).mul(MASKED).reshape(1, 1, t, t);
    }

    /** x / sqrt(mean(x^2) + eps) * gain, over the last axis. */
    private NDArray rmsNorm(NDArray x, NDArray gain) {
        return x.div(x.square().mean(new int[] {-1}, true).add((float) config.rmsNormEps()).sqrt()).mul(gain);
    }

    /** Rotary positions, HF's layout: x * cos + rotate_half(x) * sin; x (B, T, heads, D). */
    private NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        return x.mul(cos).add(x.matMul(rotateHalf).mul(sin));
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
