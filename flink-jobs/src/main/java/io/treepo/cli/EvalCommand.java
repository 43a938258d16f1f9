package io.treepo.cli;

import io.treepo.policy.DecoderConfig;
import io.treepo.policy.DjlSegmentDecoder;
import io.treepo.policy.EncodedWeights;
import io.treepo.policy.ModelFiles;
import io.treepo.policy.SamplingConfig;
import io.treepo.policy.Tokenizer;
import io.treepo.tasks.Task;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code treepo eval}: accuracy of a saved policy on a task's held-out problems. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Decode full responses of a saved policy for held-out problems of a task and report its accuracy.")
public final class EvalCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model directory (Hugging Face layout, as 'treepo pretrain' writes it). Default: the task's cached warm start, "
                    + ".treepo/models/default for arithmetic, .treepo/models/TASK for another task.")
    Path model;

    @Option(names = "--task", paramLabel = "NAME", defaultValue = WarmStartOptions.DEFAULT_TASK,
            description = "Task to evaluate on (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--n", paramLabel = "N", defaultValue = "200",
            description = "Number of held-out problems (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed of the problems and of sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--sampling", paramLabel = "greedy|T", defaultValue = "greedy",
            description = "greedy, or a sampling temperature such as 1.0 (default: ${DEFAULT-VALUE}).")
    String sampling;

    @Option(names = "--samples", paramLabel = "K", defaultValue = "1",
            description = "Responses per problem; with K > 1 (and a temperature) also reports pass@K, the share of problems"
                    + " with a right response among K: what RL can hope to reach (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "200",
            description = "Longest response in tokens (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "auto",
            description = "auto (GPU when PyTorch sees one), cpu or gpu (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() {
        if (n < 1) throw new ParameterException(spec.commandLine(), "--n must be >= 1, got " + n);
        if (maxTokens < 1) throw new ParameterException(spec.commandLine(), "--max-tokens must be >= 1, got " + maxTokens);
        if (samples < 1) throw new ParameterException(spec.commandLine(), "--samples must be >= 1, got " + samples);
        SamplingConfig samplingConfig = parseSampling();
        if (samples > 1 && sampling.equals("greedy")) {
            throw new ParameterException(spec.commandLine(), "--samples " + samples + " needs a sampling temperature (--sampling 1.0): greedy responses are all the same");
        }
        Task source = CliTasks.byName(spec, task);
        if (model == null) model = WarmStartOptions.cached(task);
        ModelFiles.Model loaded = CliModels.load(spec, model);
        EncodedWeights weights = loaded.weights();
        TaskEvaluation.Result r;
        try (Tokenizer tokenizer = loaded.tokenizer();
                DjlSegmentDecoder decoder = DjlSegmentDecoder.create(new DecoderConfig(DecoderConfig.defaults().cacheBudgetBytes(), device), tokenizer, weights, 0)) {
            r = TaskEvaluation.run(decoder, tokenizer, source, n, samples, seed, samplingConfig, maxTokens);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(String.format(Locale.ROOT,
                    "{\"task\":\"%s\",\"model\":\"%s\",\"sha256\":\"%s\",\"n\":%d,\"samples\":%d,\"seed\":%d,\"sampling\":\"%s\","
                            + "\"correct\":%d,\"accuracy\":%.4f,\"solved\":%d,\"passAtSamples\":%.4f,\"answered\":%d,"
                            + "\"meanResponseTokens\":%.1f,\"worked\":%d,\"workedCorrect\":%d,\"seconds\":%.2f}",
                    task, jsonEscape(model.toString()), weights.sha256(), r.n(), r.samples(), seed, sampling, r.correct(), r.accuracy(),
                    r.solved(), r.solvedShare(), r.answered(), r.meanTokens(), r.worked(), r.workedCorrect(), r.seconds()));
        } else {
            out.printf(Locale.ROOT, "%s: %d/%d correct (%.1f%%), answered %d, mean response %.1f tokens, %s sampling, %.1fs%n",
                    task, r.correct(), (long) r.n() * r.samples(), 100 * r.accuracy(), r.answered(), r.meanTokens(), sampling, r.seconds());
            if (r.styled() > 0) {
                int all = r.styled();
                out.printf(Locale.ROOT, "worked step by step: %d of %d responses, %d right (%.0f%%); answered at once: %d, %d right (%.0f%%)%n",
                        r.worked(), all, r.workedCorrect(), percent(r.workedCorrect(), r.worked()),
                        all - r.worked(), r.correct() - r.workedCorrect(), percent(r.correct() - r.workedCorrect(), all - r.worked()));
            }
            if (samples > 1) {
                out.printf(Locale.ROOT, "pass@%d: %d/%d problems solved (%.1f%%)%n", samples, r.solved(), r.n(), 100 * r.solvedShare());
            }
            out.println("example:\n" + r.example());
        }
        return 0;
    }

    private SamplingConfig parseSampling() {
        if (sampling.equals("greedy")) return SamplingConfig.greedy();
        try {
            float t = Float.parseFloat(sampling);
            if (!(t > 0)) throw new NumberFormatException();
            return new SamplingConfig(t, 0, 1f);
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), "--sampling must be greedy or a temperature > 0, got '" + sampling + "'");
        }
    }

    private static double percent(int part, int whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }

    private static String jsonEscape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
