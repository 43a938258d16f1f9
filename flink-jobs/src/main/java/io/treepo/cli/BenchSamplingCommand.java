package io.treepo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.treepo.policy.ByteTokenizer;
import io.treepo.policy.DecoderConfig;
import io.treepo.policy.DjlSegmentDecoder;
import io.treepo.policy.EncodedWeights;
import io.treepo.policy.ModelFiles;
import io.treepo.policy.Tokenizer;
import io.treepo.rollout.sampler.SamplerComparison;
import io.treepo.rollout.sampler.SamplerStats;
import io.treepo.rollout.sampler.TreeConfig;
import io.treepo.tasks.Task;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code treepo bench sampling}: the same prompts and model through the tree sampler and the
 * independent (GRPO) sampler in one run, with the ratios TREEPO.md section 5 quotes.
 */
@Command(
        name = "sampling",
        mixinStandardHelpOptions = true,
        description = "Tree sampler vs independent sampler: same prompts, same model, same leaves per prompt.")
public final class BenchSamplingCommand implements Callable<Integer> {
    /** Context positions kept for the prompt: a response may use the rest. */
    private static final int PROMPT_ROOM = 64;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The demo's warm start unless --model says otherwise: the tree's savings depend on answers ending early. */
    @Mixin
    WarmStartOptions start;

    @Option(names = "--prompts", paramLabel = "N", defaultValue = "8", description = "Prompts, batched together (all at once unless --in-flight is set; default: ${DEFAULT-VALUE}).")
    int prompts;

    @Option(names = "--width", paramLabel = "W", defaultValue = "16", description = "Leaves per prompt (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--segment-tokens", paramLabel = "N", defaultValue = "16", description = "Tokens per segment (default: ${DEFAULT-VALUE}).")
    int segmentTokens;

    @Option(names = "--max-depth", paramLabel = "N", defaultValue = "6", description = "Segments per path at most (default: ${DEFAULT-VALUE}).")
    int maxDepth;

    // 1 path, then 4 branches per path: 16 leaves by the third segment, before most answers end (about 3 segments
    // here); the loop's 2 and 2 reach 16 only at the fourth, and trees short of leaves then back off in small rounds
    @Option(names = "--branch", paramLabel = "N", defaultValue = "4",
            description = "Branching factor (default: ${DEFAULT-VALUE}; the loop's is 2, for 8 leaves).")
    int branch;

    @Option(names = "--first-divergence", paramLabel = "MIN[-MAX]", defaultValue = "1",
            description = "Paths from the root, fixed or drawn per tree from a range, e.g. 2-8 (default: ${DEFAULT-VALUE}; the loop's is 2).")
    String firstDivergence;

    @Option(names = "--divergence", paramLabel = "POLICY", defaultValue = "fixed",
            description = "How the tree spreads its branches: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    LoopOptions.Divergence divergence;

    @Option(names = "--divergence-temperature", paramLabel = "T", defaultValue = LoopOptions.DIVERGENCE_TEMPERATURE,
            description = "Softmax temperature of logprob and entropy divergence (default: ${DEFAULT-VALUE}).")
    double divergenceTemperature;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of prompts and sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "3",
            description = "Measured runs of each sampler, interleaved after one warm-up run; the fastest counts (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--in-flight", paramLabel = "N", defaultValue = "0",
            description = "Trees each sampler grows at once, starting the next prompt as soon as one completes (as the job's rollout does "
                    + "with --max-trees-in-flight), so that rounds mix trees of every depth; 0 starts all prompts together "
                    + "(default: ${DEFAULT-VALUE}).")
    int inFlight;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (prompts < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--prompts must be >= 1, got " + prompts);
        if (repeats < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--repeats must be >= 1, got " + repeats);
        if (inFlight < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--in-flight must be >= 0, got " + inFlight);
        TreeConfig requested = treeConfig(segmentTokens * maxDepth); // options checked before any model loads
        Task source = start.validate(spec);
        // with --json the model's line (and a pretraining's progress) goes to stderr: stdout holds the JSON alone
        ModelFiles.Model loaded = start.load(spec, json ? spec.commandLine().getErr() : spec.commandLine().getOut());
        EncodedWeights weights = loaded.weights();
        try (Tokenizer tokenizer = loaded.tokenizer()) {
            int context = weights.config().contextLength();
            // a short context (the tiny test model's 64) keeps half of it for the response
            TreeConfig config = treeConfig(Math.min(requested.maxResponseTokens(), context - Math.min(PROMPT_ROOM, context / 2)));
            List<Task.Problem> problems = IntStream.range(0, prompts)
                    .mapToObj(i -> source.generate(seed * 1_000_003L + i, Task.Split.HELD_OUT)).toList();
            SamplerComparison comparison = new SamplerComparison(
                    () -> DjlSegmentDecoder.create(DecoderConfig.defaults(), tokenizer, weights, 0), tokenizer, source);
            SamplerComparison.Result result = comparison.compare(config, problems, seed, repeats, inFlight);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(new ObjectMapper().writeValueAsString(report(result, config)));
            } else {
                printTable(out, result, config);
            }
            out.flush();
        }
        return 0;
    }

    private TreeConfig treeConfig(int maxResponse) {
        try {
            int[] first = LoopOptions.parseFirstDivergence(firstDivergence);
            return TreeConfig.builder().width(width).segmentTokens(segmentTokens).maxDepth(maxDepth)
                    .maxResponseTokens(maxResponse).branch(branch).firstDivergence(first[0], first[1])
                    .divergence(divergence.policy(divergenceTemperature)).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static Map<String, Object> figures(SamplerComparison.Run run) {
        SamplerStats s = run.stats();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("leaves", s.leaves());
        m.put("promptTokens", s.promptTokens());
        m.put("decodedTokens", s.decodedTokens());
        m.put("recomputedTokens", s.recomputedTokens());
        m.put("processedTokens", s.processedTokens());
        m.put("forwardCalls", s.forwardCalls());
        m.put("rounds", s.rounds());
        m.put("wallSeconds", s.wallNanos() / 1e9);
        m.put("secondsPerLeaf", run.secondsPerLeaf());
        m.put("microsPerToken", run.microsPerToken());
        m.put("decodedTokensPerSecond", run.decodedTokensPerSecond());
        m.put("meanReward", run.meanReward());
        m.put("meanBestReward", run.meanBestReward());
        m.put("leavesByReason", s.leavesByReason());
        return m;
    }

    private Map<String, Object> report(SamplerComparison.Result r, TreeConfig config) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", start.describe());
        m.put("prompts", prompts);
        m.put("repeats", repeats);
        m.put("inFlight", inFlight);
        m.put("width", config.width());
        m.put("branch", config.branch());
        m.put("firstDivergence", firstDivergence);
        m.put("divergence", divergence.name());
        m.put("segmentTokens", config.segmentTokens());
        m.put("maxDepth", config.maxDepth());
        m.put("maxResponseTokens", config.maxResponseTokens());
        m.put("tree", figures(r.tree()));
        m.put("independent", figures(r.independent()));
        m.put("tokenRatio", r.tokenRatio());
        m.put("decodedTokenRatio", r.decodedTokenRatio());
        m.put("timePerLeafRatio", r.timePerLeafRatio());
        m.put("pairTimePerLeafRatios", r.pairTimePerLeafRatios());
        m.put("medianPairTimePerLeafRatio", r.medianPairTimePerLeafRatio());
        m.put("timePerTokenRatio", r.timePerTokenRatio());
        return m;
    }

    private void printTable(PrintWriter out, SamplerComparison.Result r, TreeConfig config) {
        out.printf("model %s, %d prompts x %d leaves%s, first divergence %s, branch %d, %s divergence, segments of %d tokens, depth <= %d, response <= %d tokens%n",
                start.describe(), prompts, config.width(),
                inFlight == 0 ? " (all at once)" : " (" + inFlight + " trees in flight)", firstDivergence,
                config.branch(), divergence,
                config.segmentTokens(), config.maxDepth(), config.maxResponseTokens());
        out.printf("%-12s %8s %10s %10s %10s %10s %8s %9s %10s %10s %11s %8s %8s%n", "sampler", "leaves", "prefill", "decoded",
                "recomputed", "processed", "forwards", "wall s", "ms/leaf", "us/token", "decoded/s", "reward", "best");
        for (SamplerComparison.Run run : List.of(r.tree(), r.independent())) {
            SamplerStats s = run.stats();
            out.printf("%-12s %8d %10d %10d %10d %10d %8d %9.2f %10.1f %10.1f %11.0f %8.3f %8.3f%n", run.kind().label(), s.leaves(),
                    s.promptTokens(), s.decodedTokens(), s.recomputedTokens(), s.processedTokens(), s.forwardCalls(),
                    s.wallNanos() / 1e9, run.secondsPerLeaf() * 1e3, run.microsPerToken(), run.decodedTokensPerSecond(), run.meanReward(), run.meanBestReward());
        }
        out.printf("tree/independent: tokens %.3f (target <= 0.55; decoded only %.3f), time per leaf %.3f (target <= 0.6),"
                + " time per token %.3f  [fastest of %d runs each]%n",
                r.tokenRatio(), r.decodedTokenRatio(), r.timePerLeafRatio(), r.timePerTokenRatio(), repeats);
        out.printf("time per leaf, each interleaved pair of runs: median %.3f, %s%n", r.medianPairTimePerLeafRatio(),
                r.pairTimePerLeafRatios().stream().map(x -> String.format("%.3f", x)).collect(Collectors.joining(" ")));
        out.println("reward: mean over leaves; best: mean over prompts of the prompt's best leaf");
        out.printf("finish reasons: tree %s, independent %s%n", r.tree().stats().leavesByReason(), r.independent().stats().leavesByReason());
    }
}
