package io.treepo.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.treepo.policy.SegmentDecoder.DecodeRequest;
import io.treepo.policy.SegmentDecoder.DecodedSegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Decode throughput of a model (random or loaded): batched KV-cached decoding at several batch
 * sizes, the same tokens recomputed from scratch (a full pass over the sequence per new token),
 * which is what decoding without a cache costs, and the machine's float32 matmul rate, to say what
 * share of it decoding reaches.
 */
public final class DecodeBenchmark {
    private static final long SEED = 1234;

    /** Tokens decoded (or recomputed) per second at one batch size. */
    public record Result(String mode, int batch, long tokens, double seconds) {
        public double tokensPerSecond() {
            return tokens / seconds;
        }
    }

    private DecodeBenchmark() {}

    /** Random weights of {@code config}, for {@link #cached} and {@link #recompute}. */
    public static Function<NDManager, TransformerModel> random(ModelConfig config) {
        return m -> TransformerModel.initialize(config, m, SEED);
    }

    /**
     * Cached decoding of {@code newTokens} tokens after a short prompt, one decode call per batch
     * size. Prompts are bytes: every id is below any vocabulary's 256th, so any model takes them.
     */
    public static List<Result> cached(Function<NDManager, TransformerModel> weights, int[] batchSizes, int newTokens, String device) {
        Tokenizer tokenizer = new ByteTokenizer();
        List<Result> out = new ArrayList<>();
        try (DjlSegmentDecoder decoder = DjlSegmentDecoder.create(new DecoderConfig(1L << 30, device), tokenizer, weights, 0)) {
            decoder.decode(prompts(tokenizer, 4, 16), SamplingConfig.standard(), 0); // warm-up: engine and allocator
            for (int batch : batchSizes) {
                List<DecodeRequest> requests = prompts(tokenizer, batch, newTokens);
                long before = decoder.counters().decodedTokens();
                long start = System.nanoTime();
                List<DecodedSegment> segments = decoder.decode(requests, SamplingConfig.standard(), batch);
                double seconds = (System.nanoTime() - start) / 1e9;
                out.add(new Result("cached", batch, decoder.counters().decodedTokens() - before, seconds));
                segments.forEach(s -> decoder.release(s.node()));
                requests.forEach(r -> decoder.release(r.prefix()));
            }
        }
        return out;
    }

    /** The recompute baseline: for each of {@code newTokens} steps, a full uncached pass over prompt + tokens so far. */
    public static Result recompute(Function<NDManager, TransformerModel> weights, int batch, int newTokens, String device) {
        Tokenizer tokenizer = new ByteTokenizer();
        int[] prompt = prompts(tokenizer, 1, 1).get(0).prefix().fullTokens();
        int length = prompt.length + newTokens;
        long[] tokens = new long[batch * length];
        java.util.SplittableRandom random = new java.util.SplittableRandom(SEED);
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < length; i++) tokens[b * length + i] = i < prompt.length ? prompt[i] : 32 + random.nextInt(90);
        }
        try (NDManager manager = NDManager.newBaseManager(Devices.resolve(device)); TransformerModel model = weights.apply(manager)) {
            NDArray all = manager.create(tokens, new Shape(batch, length));
            long start = System.nanoTime();
            for (int t = prompt.length; t < length; t++) {
                try (NDScope scope = new NDScope()) {
                    NDArray prefix = all.get(":, 0:{}", t);
                    NDArray positions = manager.arange(0, t, 1, DataType.INT64).expandDims(0).repeat(0, batch);
                    model.forward(prefix, positions, TransformerModel.causalMask(manager, t), TransformerModel.NO_CACHE, true).toFloatArray();
                }
            }
            return new Result("recompute", batch, (long) batch * newTokens, (System.nanoTime() - start) / 1e9);
        }
    }

    /**
     * Float32 matmul rate, FLOP/s: the best of several (n x n) by (n x n) products, the shape BLAS
     * runs fastest, so the figure is close to what this machine's cores can do.
     */
    public static double matmulPeak(String device, int n) {
        try (NDManager m = NDManager.newBaseManager(Devices.resolve(device))) {
            NDArray a = m.randomNormal(new Shape(n, n));
            NDArray b = m.randomNormal(new Shape(n, n));
            a.matMul(b).toFloatArray(); // warm-up
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                try (NDArray c = a.matMul(b)) {
                    c.getFloat(0, 0); // waits for the product
                }
                best = Math.min(best, (System.nanoTime() - start) / 1e9);
            }
            return 2.0 * n * n * n / best;
        }
    }

    /**
     * Matmul FLOPs of decoding one token with a short context: twice the multiply-adds of every
     * weight matrix the token passes through (the output head included, an embedding look-up not).
     */
    public static double flopsPerToken(ModelConfig c) {
        return 2.0 * (c.layers() * (c.attentionWeights() + c.feedForwardWeights()) + (long) c.vocabSize() * c.hidden());
    }

    private static List<DecodeRequest> prompts(Tokenizer tokenizer, int batch, int newTokens) {
        List<DecodeRequest> requests = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            requests.add(new DecodeRequest(PrefixNode.root(tokenizer.encodePrompt("Q: " + (i % 10) + "+" + (i % 7) + "*3=?\n")), newTokens));
        }
        return requests;
    }
}
