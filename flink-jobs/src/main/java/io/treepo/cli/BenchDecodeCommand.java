package io.treepo.cli;

import io.treepo.policy.DecodeBenchmark;
import io.treepo.policy.ModelConfig;
import io.treepo.policy.ModelFiles;
import io.treepo.policy.TransformerModel;
import io.treepo.policy.WeightsCodec;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code treepo bench decode}: batched KV-cached decode throughput, cached versus recompute, and the share of the matmul peak.
 *
 * <p>Unlike the other benches it does not load the warm start by default: speed does not depend on
 * the weights, and an untrained model does not end its rows early, so every row decodes
 * {@code --tokens} tokens (a trained one would stop at its answers' ends and leave the batch ragged).
 */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = "Tokens/s of batched KV-cached decoding at several batch sizes, side by side, of cached decoding versus "
                + "recomputing the same tokens from scratch, and the share of this machine's float32 matmul rate that decoding "
                + "reaches. Default model: the default policy's shape with random weights (speed does not depend on them, and every row decodes --tokens tokens); "
                + "--model DIR for a model directory, --config FILE for random weights of any supported config.json "
                + "(e.g. docs/configs/qwen2.5-0.5b.json).")
public final class BenchDecodeCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "A model directory (pretrained policy, exported run, Hugging Face checkpoint).")
    Path model;

    @Option(names = "--config", paramLabel = "FILE", description = "A Hugging Face config.json: random weights of its shape.")
    Path config;

    @Option(names = "--batches", paramLabel = "B,B,...", split = ",", defaultValue = "1,8,32,128",
            description = "Batch sizes to compare (default: ${DEFAULT-VALUE}).")
    int[] batches;

    @Option(names = "--tokens", paramLabel = "N", defaultValue = "128",
            description = "New tokens per row (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--recompute-batch", paramLabel = "B", defaultValue = "32",
            description = "Batch size of the cached-versus-recompute comparison; 0 skips it (large models) (default: ${DEFAULT-VALUE}).")
    int recomputeBatch;

    @Option(names = "--rounds", paramLabel = "R", defaultValue = "3",
            description = "Repeat the cached runs and keep each batch size's best, as other work shares the CPU (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "auto",
            description = "auto (GPU when PyTorch sees one), cpu or gpu (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (tokens < 1 || tokens > 200) throw new ParameterException(spec.commandLine(), "--tokens must be in [1, 200], got " + tokens);
        if (rounds < 1) throw new ParameterException(spec.commandLine(), "--rounds must be >= 1, got " + rounds);
        if (recomputeBatch < 0) throw new ParameterException(spec.commandLine(), "--recompute-batch must be >= 0, got " + recomputeBatch);
        if (Arrays.stream(batches).anyMatch(b -> b < 1)) throw new ParameterException(spec.commandLine(), "--batches must all be >= 1");
        if (model != null && config != null) throw new ParameterException(spec.commandLine(), "--model and --config exclude each other");
        String name;
        ModelConfig shape;
        Function<NDManager, TransformerModel> weights;
        if (model != null) {
            ModelFiles.Model loaded = CliModels.load(spec, model);
            name = model.toString();
            shape = loaded.config();
            weights = m -> WeightsCodec.decode(loaded.weights(), m);
        } else {
            if (config != null) {
                try {
                    shape = ModelConfig.fromJson(Files.readString(config));
                } catch (IllegalArgumentException | java.io.IOException e) {
                    throw new ParameterException(spec.commandLine(), "--config " + config + ": " + e.getMessage());
                }
                name = "random weights of " + config;
            } else {
                shape = ModelConfig.defaultSmall();
                name = "random weights of the default policy's shape";
            }
            weights = DecodeBenchmark.random(shape);
        }
        int[] sizes = Arrays.stream(batches).boxed().mapToInt(Integer::intValue).toArray();
        if (recomputeBatch > 0 && Arrays.stream(sizes).noneMatch(b -> b == recomputeBatch)) {
            sizes = Arrays.copyOf(sizes, sizes.length + 1);
            sizes[sizes.length - 1] = recomputeBatch;
        }
        PrintWriter out = spec.commandLine().getOut();
        if (!json) {
            out.printf(Locale.ROOT, "model: %s (%s)%n", name, WarmStart.describe(shape));
            out.flush();
        }
        List<DecodeBenchmark.Result> best = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            List<DecodeBenchmark.Result> results = DecodeBenchmark.cached(weights, sizes, tokens, device);
            for (DecodeBenchmark.Result r : results) {
                best.removeIf(b -> b.batch() == r.batch() && b.tokensPerSecond() < r.tokensPerSecond());
                if (best.stream().noneMatch(b -> b.batch() == r.batch())) best.add(r);
            }
        }
        best.sort(Comparator.comparingInt(DecodeBenchmark.Result::batch));
        DecodeBenchmark.Result recompute = recomputeBatch > 0 ? DecodeBenchmark.recompute(weights, recomputeBatch, tokens, device) : null;
        DecodeBenchmark.Result cached = best.stream().filter(r -> r.batch() == recomputeBatch).findFirst().orElse(null);
        double peak = DecodeBenchmark.matmulPeak(device, 1024);
        double flops = DecodeBenchmark.flopsPerToken(shape);
        double single = best.get(0).tokensPerSecond();
        if (json) {
            StringBuilder rows = new StringBuilder();
            for (DecodeBenchmark.Result r : best) {
                if (Arrays.stream(batches).noneMatch(b -> b == r.batch())) continue;
                rows.append(rows.length() == 0 ? "" : ",").append(row(r, single, flops, peak));
            }
            out.println(String.format(Locale.ROOT,
                    "{\"model\":\"%s\",\"config\":%s,\"newTokens\":%d,\"rounds\":%d,\"matmulPeakGflops\":%.1f,\"flopsPerToken\":%.0f,"
                            + "\"batched\":[%s],\"cached\":%s,\"recompute\":%s,\"cachedOverRecompute\":%s}",
                    name.replace("\\", "\\\\").replace("\"", "\\\""), shape.toJson(), tokens, rounds, peak / 1e9, flops, rows,
                    cached == null ? "null" : row(cached, single, flops, peak), recompute == null ? "null" : row(recompute, single, flops, peak),
                    recompute == null ? "null" : String.format(Locale.ROOT, "%.2f", cached.tokensPerSecond() / recompute.tokensPerSecond())));
        } else {
            out.printf(Locale.ROOT, "batched KV-cached decode, %d new tokens per row, best of %d; matmul peak %.1f GFLOP/s (float32, 1024^3), "
                    + "%.3g GFLOP per token%n", tokens, rounds, peak / 1e9, flops / 1e9);
            out.printf(Locale.ROOT, "%8s %10s %9s %11s %10s %9s%n", "batch", "tokens", "seconds", "tokens/s", "vs batch " + best.get(0).batch(), "of peak");
            for (DecodeBenchmark.Result r : best) {
                if (Arrays.stream(batches).noneMatch(b -> b == r.batch())) continue;
                out.printf(Locale.ROOT, "%8d %10d %9.2f %11.1f %9.1fx %8.1f%%%n", r.batch(), r.tokens(), r.seconds(), r.tokensPerSecond(),
                        r.tokensPerSecond() / single, 100 * r.tokensPerSecond() * flops / peak);
            }
            if (recompute != null) {
                out.printf(Locale.ROOT, "cached vs recompute-from-scratch, batch %d, %d tokens: %.0f vs %.0f tokens/s (%.1fx)%n",
                        recomputeBatch, tokens, cached.tokensPerSecond(), recompute.tokensPerSecond(), cached.tokensPerSecond() / recompute.tokensPerSecond());
            }
        }
        return 0;
    }

    private static String row(DecodeBenchmark.Result r, double single, double flops, double peak) {
        return String.format(Locale.ROOT,
                "{\"mode\":\"%s\",\"batch\":%d,\"tokens\":%d,\"seconds\":%.3f,\"tokensPerSecond\":%.1f,\"vsBatch1\":%.2f,\"shareOfMatmulPeak\":%.4f}",
                r.mode(), r.batch(), r.tokens(), r.seconds(), r.tokensPerSecond(), r.tokensPerSecond() / single, r.tokensPerSecond() * flops / peak);
    }
}
