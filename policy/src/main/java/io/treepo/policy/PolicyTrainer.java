package io.treepo.policy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Trains the policy: a forward pass giving {@link TokenLogProbs} (with gradients, temperature 1), a
 * caller's loss, backward, global grad-norm clipping and an AdamW update with warm-up. A step whose
 * loss or gradient norm is NaN/Inf changes nothing and says so. {@link #snapshot()} and
 * {@link #restore(byte[])} carry model and optimiser state as bytes, for Flink checkpoints.
 *
 * <p>Thread-confined; DJL allows one gradient collector per JVM, so one training step at a time.
 */
public final class PolicyTrainer implements AutoCloseable {
    private static final int SNAPSHOT_MAGIC = 0x54505331; // "TPS1"
    private static final NDIndex ALL = new NDIndex("...");

    private final NDManager manager;
    private final TrainerConfig config;
    private final TransformerModel model;
    private final AdamW optimizer;
    private final int pad;
    private float learningRateScale = 1f;

    private PolicyTrainer(TrainerConfig config, Tokenizer tokenizer, String device, Function<NDManager, TransformerModel> weights) {
        this.manager = NDManager.newBaseManager(Devices.resolve(device));
        this.config = config;
        this.pad = tokenizer.padToken();
        this.model = weights.apply(manager);
        model.makeTrainable();
        this.optimizer = new AdamW(config, model.parameters(), manager);
    }

    /** A trainer over freshly initialised weights. */
    public static PolicyTrainer create(ModelConfig model, TrainerConfig config, Tokenizer tokenizer, String device, long seed) {
        return new PolicyTrainer(config, tokenizer, device, m -> TransformerModel.initialize(model, m, seed));
    }

    /** A trainer over given weights (a pretrained model), with fresh optimiser state. */
    public static PolicyTrainer create(EncodedWeights weights, TrainerConfig config, Tokenizer tokenizer, String device) {
        return new PolicyTrainer(config, tokenizer, device, m -> WeightsCodec.decode(weights, m));
    }

    /**
     * One optimisation step. The loss function gets the batch's {@link TokenLogProbs} and returns a
     * scalar; arrays it needs (advantages, old log-probs) can be made in
     * {@code logProbs.mask().getManager()}, which is closed after the step.
     */
    public StepResult step(List<TrainSequence> batch, Function<TokenLogProbs, NDArray> loss) {
        JniUtils.setGradMode(false); // in-place updates of leaves below; a new thread starts in grad mode
        try (NDScope scope = new NDScope(); NDManager step = manager.newSubManager()) {
            double lossValue;
            int tokens;
            try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                TokenLogProbs logProbs = forward(batch, step);
                tokens = (int) logProbs.mask().sum().getFloat();
                NDArray value = loss.apply(logProbs);
                if (value.getShape().size() != 1) {
                    throw new IllegalArgumentException("the loss must be a scalar, got shape " + value.getShape());
                }
                lossValue = value.getFloat();
                if (Double.isFinite(lossValue)) collector.backward(value);
            }
            if (!Double.isFinite(lossValue)) {
                return new StepResult(optimizer.step(), lossValue, Double.NaN, 0, true, tokens);
            }
            Map<String, NDArray> grads = new LinkedHashMap<>();
            double squares = 0;
            for (Map.Entry<String, NDArray> p : model.parameters().entrySet()) {
                NDArray g = p.getValue().getGradient();
                grads.put(p.getKey(), g);
                squares += g.square().sum().getFloat();
            }
            double norm = Math.sqrt(squares);
            StepResult result;
            if (!Double.isFinite(norm)) {
                result = new StepResult(optimizer.step(), lossValue, norm, 0, true, tokens);
            } else {
                float lr = config.learningRateAt(optimizer.step() + 1) * learningRateScale;
                float scale = (float) Math.min(1.0, config.gradClip() / (norm + 1e-6));
                optimizer.update(model.parameters(), grads, scale, lr);
                result = new StepResult(optimizer.step(), lossValue, norm, lr, false, tokens);
            }
            grads.values().forEach(g -> g.set(ALL, 0)); // autograd accumulates: start the next step at zero
            return result;
        }
    }

    /** Response-token log-probs and entropies without gradients, one array per sequence: for checks and evaluation. */
    public float[][] responseLogProbs(List<TrainSequence> batch) {
        JniUtils.setGradMode(false);
        try (NDScope scope = new NDScope(); NDManager step = manager.newSubManager()) {
            TokenLogProbs out = forward(batch, step);
            float[] flat = out.logProbs().toFloatArray();
            int width = (int) out.logProbs().getShape().get(1);
            float[][] rows = new float[batch.size()][];
            for (int b = 0; b < rows.length; b++) {
                rows[b] = java.util.Arrays.copyOfRange(flat, b * width, b * width + batch.get(b).responseTokens().length);
            }
            return rows;
        }
    }

    /**
     * Training forward: each row is prompt + response (right-padded), fed without its last token;
     * position t predicts token t+1. The response's predictions start at position (prompt length - 1).
     */
    private TokenLogProbs forward(List<TrainSequence> batch, NDManager m) {
        int rows = batch.size();
        int t = batch.stream().mapToInt(s -> s.promptTokens().length + s.responseTokens().length - 1).max().orElseThrow();
        int r = batch.stream().mapToInt(s -> s.responseTokens().length).max().orElseThrow();
        if (t > model.config().contextLength()) {
            throw new IllegalArgumentException("a sequence of " + (t + 1) + " tokens exceeds contextLength " + model.config().contextLength());
        }
        long[] inputs = new long[rows * t];
        long[] where = new long[rows * r]; // input position whose logits predict response token j
        long[] targets = new long[rows * r];
        float[] mask = new float[rows * r];
        for (int b = 0; b < rows; b++) {
            int[] prompt = batch.get(b).promptTokens();
            int[] response = batch.get(b).responseTokens();
            java.util.Arrays.fill(inputs, b * t, (b + 1) * t, pad);
            for (int i = 0; i < prompt.length + response.length - 1; i++) {
                inputs[b * t + i] = i < prompt.length ? prompt[i] : response[i - prompt.length];
            }
            for (int j = 0; j < r; j++) {
                boolean real = j < response.length;
                where[b * r + j] = real ? prompt.length - 1 + j : t - 1;
                targets[b * r + j] = real ? response[j] : 0;
                mask[b * r + j] = real ? 1f : 0f;
            }
        }
        int vocab = model.config().vocabSize();
        NDArray logits = model.forwardFull(m.create(inputs, new Shape(rows, t))); // (B, T, V)
        NDArray at = m.create(where, new Shape(rows, r, 1)).repeat(2, vocab); // (B, R, V)
        NDArray logProbs = logits.logSoftmax(-1).gather(at, 1); // (B, R, V): distributions over response tokens
        NDArray tokenLogProbs = logProbs.gather(m.create(targets, new Shape(rows, r, 1)), 2).squeeze(2); // (B, R)
        NDArray entropies = logProbs.exp().mul(logProbs).sum(new int[] {2}).neg(); // (B, R)
        return new TokenLogProbs(tokenLogProbs, entropies, m.create(mask, new Shape(rows, r)));
    }

    /**
     * A multiplier on the configured schedule from the next step on, for callers that anneal by
     * wall-clock time (pretraining for a fixed number of minutes). Not part of the snapshot.
     */
    public void setLearningRateScale(float scale) {
        if (!(scale >= 0)) throw new IllegalArgumentException("learning rate scale must be >= 0, got " + scale);
        this.learningRateScale = scale;
    }

    /** The current weights, for the weights topic or a model directory. */
    public EncodedWeights weights() {
        return WeightsCodec.encode(model);
    }

    public ModelConfig modelConfig() {
        return model.config();
    }

    /** Applied updates so far. */
    public long steps() {
        return optimizer.step();
    }

    /** Model and optimiser state (weights with digest, step count, moments) as bytes. */
    public byte[] snapshot() {
        EncodedWeights w = weights();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(SNAPSHOT_MAGIC);
            out.writeUTF(w.config().toJson());
            out.writeUTF(w.sha256());
            out.writeInt(w.payload().length);
            out.write(w.payload());
            out.writeLong(optimizer.step());
            Map<String, float[][]> moments = optimizer.exportMoments();
            out.writeInt(moments.size());
            for (Map.Entry<String, float[][]> e : moments.entrySet()) {
                out.writeUTF(e.getKey());
                for (float[] moment : e.getValue()) {
                    out.writeInt(moment.length);
                    for (float f : moment) out.writeFloat(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Restores a {@link #snapshot()}; refuses one made for another model config. */
    public void restore(byte[] snapshot) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
            if (in.readInt() != SNAPSHOT_MAGIC) throw new WeightsMismatchException("not a treepo trainer snapshot (bad magic)");
            ModelConfig stored = ModelConfig.fromJson(in.readUTF());
            if (!stored.equals(model.config())) {
                throw new WeightsMismatchException("snapshot config mismatch (trainer != snapshot): " + model.config().differences(stored));
            }
            String sha = in.readUTF();
            byte[] payload = new byte[in.readInt()];
            in.readFully(payload);
            Map<String, float[]> values = WeightsCodec.decodeValues(new EncodedWeights(stored, payload, sha));
            long step = in.readLong();
            int count = in.readInt();
            Map<String, float[][]> moments = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                float[][] pair = new float[2][];
                for (int k = 0; k < 2; k++) {
                    pair[k] = new float[in.readInt()];
                    for (int j = 0; j < pair[k].length; j++) pair[k][j] = in.readFloat();
                }
                moments.put(name, pair);
            }
            JniUtils.setGradMode(false);
            model.parameters().forEach((name, p) -> p.set(values.get(name)));
            optimizer.importState(step, moments);
        } catch (IOException e) {
            throw new WeightsMismatchException("trainer snapshot is truncated or malformed: " + e);
        }
    }

    NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        model.close();
        manager.close();
    }
}
