package io.treepo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.treepo.cli.Comparison.Run;
import io.treepo.cli.Comparison.Spread;
import io.treepo.policy.ModelFiles;
import io.treepo.report.RunReport;
import io.treepo.report.RunReport.Band;
import io.treepo.report.RunReport.HeldOutPoint;
import io.treepo.report.RunReport.Series;
import io.treepo.rollout.sampler.SamplerKind;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "TreePO against GRPO and FR3E on this machine, side by side, over seeds.",
            "",
            "Runs the loop with each sampler of --samplers and its own advantages",
            "(tree: tree advantages, independent: GRPO, fr3e: FR3E), --seeds times each,",
            "from the same warm start, for the same time; run k of every sampler uses",
            "prompt-stream and sampling seed --seed + k - 1, so the samplers see the same",
            "prompts. Reports per sampler held-out accuracy at the end, at equal sampled",
            "tokens and at equal time (mean, standard deviation, min..max over the seeds),",
            "decoded tokens per trajectory, trajectories per second, and the sampled tokens",
            "each sampler's mean curve needs to reach GRPO's mean final accuracy, with the",
            "ratio to GRPO's. Each run leaves its demo report in",
            "<report-dir>/<sampler>/seed-<seed> (<report-dir>/<sampler> with --seeds 1);",
            "the comparison (comparison.txt, comparison.json, PNG plots) goes in",
            "<report-dir>. The command sets --sampler, --estimator and --seed itself."
        })
final class CompareCommand implements Callable<Integer> {

    /** The sampler whose mean final accuracy the others are asked to reach: GRPO's. */
    static final SamplerKind REFERENCE = SamplerKind.INDEPENDENT;

    @Spec
    CommandSpec spec;

    @Option(names = "--minutes", paramLabel = "M", defaultValue = "10",
            description = "Training minutes of each run. Default: ${DEFAULT-VALUE}.")
    double minutes;

    @Option(names = "--seeds", paramLabel = "N", defaultValue = "1",
            description = "Runs of each sampler, seeds --seed to --seed + N - 1: the spread over them tells a difference from "
                    + "noise. Default: ${DEFAULT-VALUE}.")
    int seeds;

    @Option(names = "--samplers", paramLabel = "LIST", split = ",",
            description = "Samplers to compare, comma-separated (--sampler's values). Default: every sampler the loop has.")
    List<String> samplers;

    @Option(names = "--report-dir", paramLabel = "DIR", description = "Where the reports go. Default: runs/compare-<timestamp>.")
    Path reportDir;

    @Option(names = "--json", description = "Print the comparison as one JSON object at the end.")
    boolean json;

    @Mixin
    LocalRunOptions run;

    @Mixin
    LoopOptions loop;

    @Override
    public Integer call() throws Exception {
        run.validate(spec, minutes);
        loop.validate(spec);
        if (minutes == 0) {
            throw new ParameterException(spec.commandLine(), "--minutes must be > 0 for a comparison");
        }
        if (run.evalPrompts == 0) {
            throw new ParameterException(spec.commandLine(), "--eval-prompts must be > 0: the comparison is of held-out accuracy");
        }
        if (seeds < 1) {
            throw new ParameterException(spec.commandLine(), "--seeds must be >= 1, got " + seeds);
        }
        List<SamplerKind> kinds = samplerKinds();
        for (SamplerKind kind : kinds) { // each sampler's options (fr3e's width), before any run starts
            select(kind);
            loop.validate(spec);
        }
        run.requireFreePort(spec);
        PrintWriter out = spec.commandLine().getOut();
        out.println("Flink Web UI (each run in turn): " + run.webUrl());
        ModelFiles.Model warmStart = run.warmStart(spec, out);
        Path dir = reportDir != null ? reportDir
                : Path.of("runs", "compare-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        long firstSeed = loop.seed;
        CountDownLatch finished = new CountDownLatch(1);
        AtomicBoolean stop = LocalRunOptions.stopOnShutdown(finished);
        try {
            Map<SamplerKind, List<Run>> runs = new LinkedHashMap<>();
            kinds.forEach(k -> runs.put(k, new ArrayList<>()));
            // seed by seed, every sampler in turn: a stop leaves paired runs, and a machine that slows down
            // over the hours slows every sampler alike
            for (int k = 0; k < seeds && !stop.get(); k++) {
                for (SamplerKind kind : kinds) {
                    if (stop.get()) {
                        break;
                    }
                    long seed = firstSeed + k;
                    out.printf(Locale.ROOT, "%n== %s sampler, %s advantages, seed %d (%d of %d), %.1f minutes ==%n", kind.label(),
                            LoopOptions.pairedEstimator(kind), seed, k + 1, seeds, minutes);
                    select(kind);
                    loop.seed = seed;
                    Path runDir = seeds == 1 ? dir.resolve(kind.label()) : dir.resolve(kind.label()).resolve("seed-" + seed);
                    LoopRun.Result result = run.loopRun(spec, "treepo compare: " + kind.label() + " seed " + seed, loop, warmStart, runDir,
                            minutes).run(out, stop);
                    runs.get(kind).add(new Run(kind.label(), seed, result.report().rows(), result.report().heldOut()));
                }
            }
            // a comparison of whole seeds only: an interrupted seed's runs would weigh one sampler's mean alone
            int complete = runs.values().stream().mapToInt(List::size).min().orElse(0);
            if (complete > 0) {
                runs.replaceAll((kind, list) -> List.copyOf(list.subList(0, complete)));
                report(out, dir, runs);
            }
        } finally {
            finished.countDown();
        }
        return 0;
    }

    /** The loop's sampler and its own advantages, as a run of {@code kind} takes them. */
    private void select(SamplerKind kind) {
        loop.sampler = kind.label();
        loop.estimator = LoopOptions.pairedEstimator(kind);
    }

    /** {@code --samplers} as kinds, every kind by default; a name no sampler has is refused at once. */
    private List<SamplerKind> samplerKinds() {
        if (samplers == null) {
            return List.of(SamplerKind.values());
        }
        List<SamplerKind> kinds = new ArrayList<>();
        for (String name : samplers) {
            SamplerKind kind;
            try {
                kind = LoopOptions.samplerKind("--samplers", name.strip());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            if (kinds.contains(kind)) {
                throw new ParameterException(spec.commandLine(), "--samplers names " + kind.label() + " twice");
            }
            kinds.add(kind);
        }
        return kinds;
    }

    private void report(PrintWriter out, Path dir, Map<SamplerKind, List<Run>> runs) throws Exception {
        List<Run> all = runs.values().stream().flatMap(List::stream).toList();
        double equalTokens = Comparison.commonEnd(all, Comparison.TOKENS);
        double equalSeconds = Comparison.commonEnd(all, Comparison.SECONDS);
        List<Run> reference = runs.getOrDefault(REFERENCE, List.of());
        Spread referenceFinal = Spread.of(reference, Run::finalAccuracy);
        // "Reaching GRPO's accuracy" means something only when GRPO gained on the warm start.
        boolean referenceGained = !reference.isEmpty() && referenceFinal.mean() > Spread.of(reference, Run::startAccuracy).mean();
        double target = referenceGained ? referenceFinal.mean() : Double.NaN;
        Map<SamplerKind, Band> byTokens = new LinkedHashMap<>();
        Map<SamplerKind, Band> bySeconds = new LinkedHashMap<>();
        runs.forEach((kind, list) -> {
            byTokens.put(kind, Comparison.band(displayName(kind), list, Comparison.TOKENS));
            bySeconds.put(kind, Comparison.band(displayName(kind), list, Comparison.SECONDS));
        });
        double referenceTokens = byTokens.containsKey(REFERENCE) ? Comparison.firstReaching(byTokens.get(REFERENCE), target) : Double.NaN;

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("model", run.start.describe());
        result.put("minutesEach", minutes);
        result.put("seeds", all.stream().mapToLong(Run::seed).distinct().sorted().toArray());
        result.put("equalSampledTokens", (long) equalTokens);
        result.put("equalSeconds", equalSeconds);
        result.put("grpoMeanFinalAccuracy", referenceFinal.mean());
        result.put("grpoGained", referenceGained);
        Map<String, Object> perSampler = new LinkedHashMap<>();
        List<String> spreadLines = new ArrayList<>();
        List<String> reachLines = new ArrayList<>();
        for (Map.Entry<SamplerKind, List<Run>> e : runs.entrySet()) {
            SamplerKind kind = e.getKey();
            List<Run> list = e.getValue();
            Spread end = Spread.of(list, Run::finalAccuracy);
            Spread atTokens = Spread.of(list, r -> r.accuracyAt(Comparison.TOKENS, equalTokens));
            Spread atSeconds = Spread.of(list, r -> r.accuracyAt(Comparison.SECONDS, equalSeconds));
            double tokens = Comparison.firstReaching(byTokens.get(kind), target);
            double ratio = tokens / referenceTokens;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("estimator", LoopOptions.pairedEstimator(kind).name());
            m.put("finalAccuracy", end);
            m.put("accuracyAtEqualSampledTokens", atTokens);
            m.put("accuracyAtEqualSeconds", atSeconds);
            m.put("tokensToReachGrpoMeanFinal", Double.isNaN(tokens) ? null : (long) tokens);
            m.put("tokenRatioToGrpo", Double.isNaN(ratio) ? null : ratio);
            m.put("runs", list.stream().map(Run::figures).toList());
            perSampler.put(kind.label(), m);
            spreadLines.add(String.format(Locale.ROOT, "%-12s %-28s %-28s %-28s", kind.label(), end.percent(), atTokens.percent(), atSeconds.percent()));
            if (referenceGained && kind != REFERENCE) {
                reachLines.add(Double.isNaN(tokens)
                        ? String.format(Locale.ROOT, "%s did not reach GRPO's mean final held-out accuracy (%.1f%%) on its mean curve.", kind.label(),
                                100 * target)
                        : String.format(Locale.ROOT, "%s reached GRPO's mean final held-out accuracy (%.1f%%) after %,.0f sampled tokens on its mean"
                                + " curve, %.2fx GRPO's %,.0f (target <= 0.7).", kind.label(), 100 * target, tokens, ratio, referenceTokens));
            }
        }
        result.put("samplers", perSampler);

        List<String> lines = new ArrayList<>();
        lines.add("warm start: " + run.start.describe());
        lines.add(String.format(Locale.ROOT, "%-12s %6s %9s %12s %14s %12s %12s %10s %10s", "sampler", "seed", "batches", "trajectories",
                "sampled tokens", "tokens/traj", "traj/s", "held-out 0", "held-out end"));
        for (Run r : all) {
            Map<String, Object> f = r.figures();
            lines.add(String.format(Locale.ROOT, "%-12s %6d %9d %12d %14d %12.1f %12.2f %9.1f%% %9.1f%%", r.sampler(), r.seed(),
                    f.get("trainingBatches"), f.get("trajectories"), f.get("sampledTokens"), f.get("tokensPerTrajectory"),
                    f.get("trajectoriesPerSecond"), 100 * r.startAccuracy(), 100 * r.finalAccuracy()));
        }
        lines.add(String.format(Locale.ROOT, "held-out accuracy over %d seed(s)%s:", all.size() / runs.size(),
                all.size() > runs.size() ? ", mean ± standard deviation [min..max]" : ""));
        lines.add(String.format(Locale.ROOT, "%-12s %-28s %-28s %-28s", "sampler", "at the end", String.format(Locale.ROOT, "at %,.0f sampled tokens",
                equalTokens), String.format(Locale.ROOT, "at %.0f s", equalSeconds)));
        lines.addAll(spreadLines);
        lines.add(!reference.isEmpty() && !referenceGained
                ? String.format(Locale.ROOT, "GRPO ended at %.1f%% held-out (mean), no gain on the warm start: no tokens-to-match figure.",
                        100 * referenceFinal.mean())
                : reference.isEmpty() ? "GRPO (independent) is not among --samplers: no tokens-to-match figure."
                : String.format(Locale.ROOT, "GRPO's mean curve reached its mean final held-out accuracy (%.1f%%) after %,.0f sampled tokens.",
                        100 * target, referenceTokens));
        lines.addAll(reachLines);
        Files.write(dir.resolve("comparison.txt"), lines);
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Files.writeString(dir.resolve("comparison.json"), mapper.writeValueAsString(result));
        plot(dir, runs, byTokens, bySeconds);

        out.println();
        lines.forEach(out::println);
        out.println("Comparison: " + dir.toAbsolutePath() + " (comparison.txt, comparison.json, heldout_vs_tokens.png, heldout_vs_time.png,"
                + " heldout_vs_step.png, tokens_per_trajectory.png, reward_vs_step.png)");
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(result));
        }
        out.flush();
    }

    private static String displayName(SamplerKind kind) {
        return switch (kind) {
            case TREE -> "TreePO (tree sampler)";
            case INDEPENDENT -> "GRPO (independent sampler)";
            case FR3E -> "FR3E (first-return states)";
        };
    }

    private static void plot(Path dir, Map<SamplerKind, List<Run>> runs, Map<SamplerKind, Band> byTokens, Map<SamplerKind, Band> bySeconds)
            throws Exception {
        String spread = runs.values().iterator().next().size() > 1 ? " (mean over seeds, min..max shaded)" : "";
        RunReport.bandChart(dir.resolve("heldout_vs_tokens.png"), "Held-out accuracy (greedy) by sampled tokens" + spread,
                "sampled response tokens", "held-out accuracy", List.copyOf(byTokens.values()));
        RunReport.bandChart(dir.resolve("heldout_vs_time.png"), "Held-out accuracy (greedy) by time" + spread, "seconds",
                "held-out accuracy", List.copyOf(bySeconds.values()));
        List<Series> byStep = new ArrayList<>();
        List<Series> tokensPerTrajectory = new ArrayList<>();
        List<Series> reward = new ArrayList<>();
        int batch = RunReport.COLUMNS.indexOf("batch");
        int tokens = RunReport.COLUMNS.indexOf("sampled_tokens");
        int leaves = RunReport.COLUMNS.indexOf("leaves");
        int rewardMean = RunReport.COLUMNS.indexOf("reward_mean");
        runs.forEach((kind, list) -> {
            for (Run r : list) {
                String name = displayName(kind) + (list.size() > 1 ? ", seed " + r.seed() : "");
                double[] accuracy = r.heldOut().stream().mapToDouble(HeldOutPoint::accuracy).toArray();
                byStep.add(new Series(name, r.heldOut().stream().mapToDouble(HeldOutPoint::version).toArray(), accuracy));
                if (r.rows().isEmpty()) {
                    continue; // a run too short for a single training batch has no line to draw
                }
                double[] steps = r.rows().stream().mapToDouble(row -> row[batch]).toArray();
                tokensPerTrajectory.add(new Series(name, steps,
                        r.rows().stream().mapToDouble(row -> row[leaves] == 0 ? 0 : row[tokens] / row[leaves]).toArray()));
                reward.add(new Series(name, steps, r.rows().stream().mapToDouble(row -> Double.isNaN(row[rewardMean]) ? 0 : row[rewardMean]).toArray()));
            }
        });
        RunReport.lineChart(dir.resolve("heldout_vs_step.png"), "Held-out accuracy (greedy) by training batch", "training batch",
                "held-out accuracy", byStep);
        if (!reward.isEmpty()) {
            RunReport.lineChart(dir.resolve("tokens_per_trajectory.png"), "Decoded tokens per trajectory (shared tree segments count once)",
                    "training batch", "decoded tokens per trajectory", tokensPerTrajectory);
            RunReport.lineChart(dir.resolve("reward_vs_step.png"), "Mean reward of the training leaves", "training batch", "share", reward);
        }
    }
}
