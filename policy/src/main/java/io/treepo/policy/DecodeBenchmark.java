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

/**
 * Decode throughput of a randomly initialised model: batched KV-cached decoding at several batch
 * sizes, and the same tokens recomputed from scratch (a full pass over the sequence per new token),
 * which is what decoding without a cache costs.
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

    /** Cached decoding of {@code newTokens} tokens after a short prompt, one decode call per batch size. */
    public static List<Result> cached(ModelConfig config, int[] batchSizes, int newTokens, String device) {
        Tokenizer tokenizer = new ByteTokenizer();
        List<Result> out = new ArrayList<>();
        try (DjlSegmentDecoder decoder = DjlSegmentDecoder.create(
                new DecoderConfig(1L << 30, device), tokenizer, m -> TransformerModel.initialize(config, m, SEED), 0)) {
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
    public static Result recompute(ModelConfig config, int batch, int newTokens, String device) {
        Tokenizer tokenizer = new ByteTokenizer();
        int[] prompt = prompts(tokenizer, 1, 1).get(0).prefix().fullTokens();
        int length = prompt.length + newTokens;
        long[] tokens = new long[batch * length];
        java.util.SplittableRandom random = new java.util.SplittableRandom(SEED);
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < length; i++) tokens[b * length + i] = i < prompt.length ? prompt[i] : 32 + random.nextInt(90);
        }
        try (NDManager manager = NDManager.newBaseManager(Devices.resolve(device)); TransformerModel model = TransformerModel.initialize(config, manager, SEED)) {
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

    private static List<DecodeRequest> prompts(Tokenizer tokenizer, int batch, int newTokens) {
        List<DecodeRequest> requests = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            requests.add(new DecodeRequest(PrefixNode.root(tokenizer.encodePrompt("Q: " + (i % 10) + "+" + (i % 7) + "*3=?\n")), newTokens));
        }
        return requests;
    }
}
