package io.treepo.policy;

import io.treepo.policy.SafeTensors.Dtype;
import io.treepo.policy.SafeTensors.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The model's parameters under Hugging Face's names and layout ({@code Qwen2ForCausalLM},
 * {@code Qwen3ForCausalLM}, Steel-LLM's Soft-MoE layers) and back: {@link TransformerModel} keeps q/k/v and gate/up fused and
 * every matrix (in, out); a checkpoint keeps each projection apart, (out, in). Both directions are
 * exact (transposes and concatenations only), so a saved model loads back bit for bit.
 */
final class HuggingFaceCheckpoint {
    private HuggingFaceCheckpoint() {}

    /** Hugging Face tensors of a model's values (as {@link TransformerModel#toValues()} gives), to be stored as {@code dtype}. */
    static Map<String, Tensor> toTensors(ModelConfig c, Map<String, float[]> values, Dtype dtype) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int hidden = c.hidden();
        int q = c.heads() * c.headDim();
        int kv = c.kvHeads() * c.headDim();
        out.put("model.embed_tokens.weight", new Tensor(dtype, new long[] {c.vocabSize(), hidden}, values.get("embed")));
        for (int l = 0; l < c.layers(); l++) {
            String in = "layer" + l + ".";
            String hf = "model.layers." + l + ".";
            float[][] qkv = columns(values.get(in + "attn.qkv"), hidden, q, kv, kv); // (out, in) each
            out.put(hf + "self_attn.q_proj.weight", new Tensor(dtype, new long[] {q, hidden}, qkv[0]));
            out.put(hf + "self_attn.k_proj.weight", new Tensor(dtype, new long[] {kv, hidden}, qkv[1]));
            out.put(hf + "self_attn.v_proj.weight", new Tensor(dtype, new long[] {kv, hidden}, qkv[2]));
            if (c.qkvBias()) {
                float[] bias = values.get(in + "attn.qkv.bias");
                out.put(hf + "self_attn.q_proj.bias", new Tensor(dtype, new long[] {q}, Arrays.copyOfRange(bias, 0, q)));
                out.put(hf + "self_attn.k_proj.bias", new Tensor(dtype, new long[] {kv}, Arrays.copyOfRange(bias, q, q + kv)));
                out.put(hf + "self_attn.v_proj.bias", new Tensor(dtype, new long[] {kv}, Arrays.copyOfRange(bias, q + kv, q + 2 * kv)));
            }
            if (c.qkNorm()) {
                out.put(hf + "self_attn.q_norm.weight", new Tensor(dtype, new long[] {c.headDim()}, values.get(in + "attn.q.norm")));
                out.put(hf + "self_attn.k_norm.weight", new Tensor(dtype, new long[] {c.headDim()}, values.get(in + "attn.k.norm")));
            }
            out.put(hf + "self_attn.o_proj.weight", new Tensor(dtype, new long[] {hidden, q}, transpose(values.get(in + "attn.out"), q, hidden)));
            if (c.softMoe() == null) {
                float[][] gateUp = columns(values.get(in + "mlp.gate_up"), hidden, c.intermediate(), c.intermediate());
                out.put(hf + "mlp.gate_proj.weight", new Tensor(dtype, new long[] {c.intermediate(), hidden}, gateUp[0]));
                out.put(hf + "mlp.up_proj.weight", new Tensor(dtype, new long[] {c.intermediate(), hidden}, gateUp[1]));
                out.put(hf + "mlp.down_proj.weight", new Tensor(dtype, new long[] {hidden, c.intermediate()},
                        transpose(values.get(in + "mlp.down"), c.intermediate(), hidden)));
            } else {
                softMoeToTensors(c, values, in, hf + "mlp.", dtype, out);
            }
            out.put(hf + "input_layernorm.weight", new Tensor(dtype, new long[] {hidden}, values.get(in + "attn.norm")));
            out.put(hf + "post_attention_layernorm.weight", new Tensor(dtype, new long[] {hidden}, values.get(in + "mlp.norm")));
        }
        out.put("model.norm.weight", new Tensor(dtype, new long[] {hidden}, values.get("final.norm")));
        if (!c.tiedEmbeddings()) {
            out.put("lm_head.weight", new Tensor(dtype, new long[] {c.vocabSize(), hidden}, transpose(values.get("head"), hidden, c.vocabSize())));
        }
        return out;
    }

    /**
     * The model's values from a checkpoint's tensors. Every tensor the config needs must be there
     * with its shape; a tied model's {@code lm_head.weight} (some checkpoints store it anyway) and
     * rotary tables ({@code rotary_emb.inv_freq}) are ignored; any other tensor is refused, since it
     * means a layer this decoder does not have.
     */
    static Map<String, float[]> fromTensors(ModelConfig c, Map<String, Tensor> tensors) {
        Map<String, Tensor> expected = toTensors(c, TransformerModel.shapes(c).entrySet().stream().collect(
                LinkedHashMap::new, (m, e) -> m.put(e.getKey(), new float[Math.toIntExact(e.getValue().size())]), Map::putAll), Dtype.F32);
        TreeSet<String> unknown = new TreeSet<>(tensors.keySet());
        unknown.removeAll(expected.keySet());
        unknown.removeIf(name -> name.endsWith("rotary_emb.inv_freq") || (c.tiedEmbeddings() && name.equals("lm_head.weight")));
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("checkpoint has tensors a " + c.modelType() + " model of this config.json does not: "
                    + List.copyOf(unknown).subList(0, Math.min(5, unknown.size())) + (unknown.size() > 5 ? " and " + (unknown.size() - 5) + " more" : ""));
        }
        expected.forEach((name, shape) -> {
            Tensor t = tensors.get(name);
            if (t == null) throw new IllegalArgumentException("checkpoint lacks tensor " + name + " " + Arrays.toString(shape.shape()));
            if (!Arrays.equals(t.shape(), shape.shape())) {
                throw new IllegalArgumentException("tensor " + name + " has shape " + Arrays.toString(t.shape())
                        + ", config.json needs " + Arrays.toString(shape.shape()));
            }
        });
        Map<String, float[]> values = new LinkedHashMap<>();
        int hidden = c.hidden();
        int q = c.heads() * c.headDim();
        values.put("embed", tensors.get("model.embed_tokens.weight").values());
        for (int l = 0; l < c.layers(); l++) {
            String in = "layer" + l + ".";
            String hf = "model.layers." + l + ".";
            values.put(in + "attn.norm", tensors.get(hf + "input_layernorm.weight").values());
            values.put(in + "attn.qkv", rows(hidden, v(tensors, hf + "self_attn.q_proj.weight"), v(tensors, hf + "self_attn.k_proj.weight"),
                    v(tensors, hf + "self_attn.v_proj.weight")));
            if (c.qkvBias()) {
                values.put(in + "attn.qkv.bias", concat(v(tensors, hf + "self_attn.q_proj.bias"), v(tensors, hf + "self_attn.k_proj.bias"),
                        v(tensors, hf + "self_attn.v_proj.bias")));
            }
            if (c.qkNorm()) {
                values.put(in + "attn.q.norm", v(tensors, hf + "self_attn.q_norm.weight"));
                values.put(in + "attn.k.norm", v(tensors, hf + "self_attn.k_norm.weight"));
            }
            values.put(in + "attn.out", transpose(v(tensors, hf + "self_attn.o_proj.weight"), hidden, q));
            values.put(in + "mlp.norm", v(tensors, hf + "post_attention_layernorm.weight"));
            if (c.softMoe() == null) {
                values.put(in + "mlp.gate_up", rows(hidden, v(tensors, hf + "mlp.gate_proj.weight"), v(tensors, hf + "mlp.up_proj.weight")));
                values.put(in + "mlp.down", transpose(v(tensors, hf + "mlp.down_proj.weight"), hidden, c.intermediate()));
            } else {
                softMoeFromTensors(c, tensors, hf + "mlp.", in, values);
            }
        }
        values.put("final.norm", v(tensors, "model.norm.weight"));
        if (!c.tiedEmbeddings()) values.put("head", transpose(v(tensors, "lm_head.weight"), c.vocabSize(), hidden));
        return values;
    }

    /**
     * Steel's {@code SteelSoftMoEV3}: {@code phi} (d, n, p) is our (C, n*P) as it lies in memory; each
     * expert's four SENet projections are split out of the fused gate_up (C, n*2E) and down (n, E, 2C).
     */
    private static void softMoeToTensors(ModelConfig c, Map<String, float[]> values, String in, String hf, Dtype dtype,
            Map<String, Tensor> out) {
        int hidden = c.hidden();
        int n = c.softMoe().experts();
        int e = c.expertIntermediate();
        out.put(hf + "phi", new Tensor(dtype, new long[] {hidden, n, c.softMoe().slotsPerExpert()}, values.get(in + "moe.phi")));
        out.put(hf + "scale", new Tensor(dtype, new long[] {1}, values.get(in + "moe.scale")));
        int[] widths = new int[2 * n];
        Arrays.fill(widths, e);
        float[][] gateUp = columns(values.get(in + "moe.gate_up"), hidden, widths); // gate_up_proj, up_proj of expert 0, 1, ...
        float[] down = values.get(in + "moe.down");
        for (int x = 0; x < n; x++) {
            String expert = hf + "experts." + x + ".";
            out.put(expert + "gate_up_proj.weight", new Tensor(dtype, new long[] {e, hidden}, gateUp[2 * x]));
            out.put(expert + "up_proj.weight", new Tensor(dtype, new long[] {e, hidden}, gateUp[2 * x + 1]));
            float[][] gateDown = columns(Arrays.copyOfRange(down, x * e * 2 * hidden, (x + 1) * e * 2 * hidden), e, hidden, hidden);
            out.put(expert + "gate_down_proj.weight", new Tensor(dtype, new long[] {hidden, e}, gateDown[0]));
            out.put(expert + "down_proj.weight", new Tensor(dtype, new long[] {hidden, e}, gateDown[1]));
        }
    }

    private static void softMoeFromTensors(ModelConfig c, Map<String, Tensor> tensors, String hf, String in, Map<String, float[]> values) {
        int n = c.softMoe().experts();
        int e = c.expertIntermediate();
        values.put(in + "moe.phi", v(tensors, hf + "phi"));
        values.put(in + "moe.scale", v(tensors, hf + "scale"));
        float[][] gateUp = new float[2 * n][];
        float[][] down = new float[n][];
        for (int x = 0; x < n; x++) {
            String expert = hf + "experts." + x + ".";
            gateUp[2 * x] = v(tensors, expert + "gate_up_proj.weight");
            gateUp[2 * x + 1] = v(tensors, expert + "up_proj.weight");
            down[x] = rows(e, v(tensors, expert + "gate_down_proj.weight"), v(tensors, expert + "down_proj.weight"));
        }
        values.put(in + "moe.gate_up", rows(c.hidden(), gateUp));
        values.put(in + "moe.down", concat(down));
    }

    private static float[] v(Map<String, Tensor> tensors, String name) {
        return tensors.get(name).values();
    }

    /** (rows, cols) row-major to (cols, rows). */
    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < cols; col++) t[col * rows + r] = m[r * cols + col];
        }
        return t;
    }

    /** Splits an (in, sum of widths) matrix into one (width, in) matrix per block of columns. */
    private static float[][] columns(float[] fused, int in, int... widths) {
        int total = Arrays.stream(widths).sum();
        float[] t = transpose(fused, in, total); // (total, in): the blocks are now consecutive rows
        float[][] out = new float[widths.length][];
        int offset = 0;
        for (int i = 0; i < widths.length; i++) {
            out[i] = Arrays.copyOfRange(t, offset * in, (offset + widths[i]) * in);
            offset += widths[i];
        }
        return out;
    }

    /** Stacks (width_i, in) matrices into (sum, in), then transposes to (in, sum). */
    private static float[] rows(int in, float[]... blocks) {
        float[] stacked = concat(blocks);
        return transpose(stacked, stacked.length / in, in);
    }

    private static float[] concat(float[]... parts) {
        float[] out = new float[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int offset = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, offset, p.length);
            offset += p.length;
        }
        return out;
    }
}
