package io.treepo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.treepo.policy.ModelFiles;
import io.treepo.report.RunReport;
import io.treepo.trainer.Estimator;
import io.treepo.report.RunReport.HeldOutPoint;
import io.treepo.report.RunReport.Series;
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
            "TreePO against GRPO on this machine, side by side.",
            "",
            "Runs the loop twice from the same warm start, on the same prompts, for the same",
            "time: with the tree sampler (tree advantages), then with the independent sampler",
            "(GRPO advantages). Reports held-out accuracy over time and over sampled tokens,",
            "decoded tokens per trajectory, trajectories per second, final accuracy, and the",
            "sampled tokens TreePO needed to reach GRPO's final accuracy. Each run leaves its",
            "demo report in <report-dir>/tree and <report-dir>/independent; the comparison",
            "(comparison.txt, comparison.json, PNG plots) goes in <report-dir>. The command",
            "sets --sampler and --estimator itself."
        })
final class CompareCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--minutes", paramLabel = "M", defaultValue = "10",
            description = "Training minutes of each run. Default: ${DEFAULT-VALUE}.")
    double minutes;

    @Option(names = "--report-dir", paramLabel = "DIR", description = "Where the reports go. Default: runs/compare-<timestamp>.")
    Path reportDir;

    @Option(names = "--json", description = "Print the comparison as one JSON object at the end.")
    boolean json;

    @Mixin
    LocalRunOptions run;

    @Mixin
    LoopOptions loop;

    /** A finished run as the comparison sees it. */
    record Side(String sampler, List<double[]> rows, List<HeldOutPoint> heldOut) {
        double sum(String column) {
            int c = RunReport.COLUMNS.indexOf(column);
            return rows.stream().mapToDouble(r -> Double.isNaN(r[c]) ? 0 : r[c]).sum();
        }

        double seconds() {
            int c = RunReport.COLUMNS.indexOf("time_s");
            return rows.isEmpty() ? 0 : rows.get(rows.size() - 1)[c];
        }

        double finalAccuracy() {
            return heldOut.isEmpty() ? Double.NaN : heldOut.get(heldOut.size() - 1).accuracy();
        }

        /** Sampled tokens at the first held-out point at or above {@code accuracy}; NaN when never reached. */
        double tokensToReach(double accuracy) {
            return heldOut.stream().filter(p -> p.accuracy() >= accuracy).mapToDouble(HeldOutPoint::sampledTokens).findFirst().orElse(Double.NaN);
        }

        Map<String, Object> figures() {
            Map<String, Object> m = new LinkedHashMap<>();
            double trajectories = sum("leaves");
            double tokens = sum("sampled_tokens");
            m.put("sampler", sampler);
            m.put("trainingBatches", rows.size());
            m.put("trajectories", (long) trajectories);
            m.put("sampledTokens", (long) tokens);
            m.put("tokensPerTrajectory", trajectories == 0 ? Double.NaN : tokens / trajectories);
            m.put("trajectoryLength", trajectories == 0 ? Double.NaN : sum("trajectory_tokens") / trajectories);
            m.put("trajectoriesPerSecond", seconds() == 0 ? Double.NaN : trajectories / seconds());
            m.put("startAccuracy", heldOut.isEmpty() ? Double.NaN : heldOut.get(0).accuracy());
            m.put("finalAccuracy", finalAccuracy());
            m.put("heldOut", heldOut);
            return m;
        }
    }

    @Override
    public Integer call() throws Exception {
        run.validate(spec, minutes);
        loop.validate(spec);
        run.requireFreePort(spec);
        if (minutes == 0) {
            throw new ParameterException(spec.commandLine(), "--minutes must be > 0 for a comparison");
        }
        if (run.evalPrompts == 0) {
            throw new ParameterException(spec.commandLine(), "--eval-prompts must be > 0: the comparison is of held-out accuracy");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Flink Web UI (each run in turn): " + run.webUrl());
        ModelFiles.Model warmStart = run.warmStart(spec, out);
        Path dir = reportDir != null ? reportDir
                : Path.of("runs", "compare-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        CountDownLatch finished = new CountDownLatch(1);
        AtomicBoolean stop = LocalRunOptions.stopOnShutdown(finished);
        try {
            List<Side> sides = new ArrayList<>();
            for (String sampler : List.of("tree", "independent")) {
                if (stop.get()) {
                    break;
                }
                out.printf("%n== %s sampler, %s advantages, %.1f minutes ==%n", sampler, sampler.equals("tree") ? "tree" : "GRPO", minutes);
                loop.sampler = sampler;
                loop.estimator = Estimator.TREE_AVERAGE; // the independent sampler turns it into GRPO
                LoopRun.Result result = run.loopRun(spec, "treepo compare: " + sampler, loop, warmStart, dir.resolve(sampler), minutes).run(out, stop);
                sides.add(new Side(sampler, result.report().rows(), result.report().heldOut()));
            }
            if (sides.size() == 2) {
                report(out, dir, sides.get(0), sides.get(1));
            }
        } finally {
            finished.countDown();
        }
        return 0;
    }

    private void report(PrintWriter out, Path dir, Side tree, Side grpo) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("model", run.start.describe());
        result.put("minutesEach", minutes);
        result.put("tree", tree.figures());
        result.put("independent", grpo.figures());
        // "Reaching GRPO's final accuracy" means something only when GRPO gained on the warm start.
        double target = grpo.finalAccuracy();
        boolean grpoGained = !grpo.heldOut().isEmpty() && target > grpo.heldOut().get(0).accuracy();
        double treeTokens = grpoGained ? tree.tokensToReach(target) : Double.NaN;
        double grpoTokens = grpo.heldOut().isEmpty() ? Double.NaN : grpo.heldOut().get(grpo.heldOut().size() - 1).sampledTokens();
        double ratio = treeTokens / grpoTokens;
        result.put("grpoFinalAccuracy", target);
        result.put("grpoGained", grpoGained);
        result.put("treeTokensToReachGrpoFinal", Double.isNaN(treeTokens) ? null : (long) treeTokens);
        result.put("tokenRatioToReachGrpoFinal", Double.isNaN(ratio) ? null : ratio);
        List<String> lines = new ArrayList<>();
        lines.add("warm start: " + run.start.describe());
        lines.add(String.format(Locale.ROOT, "%-12s %9s %12s %14s %12s %12s %10s %10s", "sampler", "batches", "trajectories",
                "sampled tokens", "tokens/traj", "traj/s", "held-out 0", "held-out end"));
        for (Side s : List.of(tree, grpo)) {
            Map<String, Object> f = s.figures();
            lines.add(String.format(Locale.ROOT, "%-12s %9d %12d %14d %12.1f %12.2f %9.1f%% %9.1f%%", s.sampler(), f.get("trainingBatches"),
                    f.get("trajectories"), f.get("sampledTokens"), f.get("tokensPerTrajectory"), f.get("trajectoriesPerSecond"),
                    100 * (double) f.get("startAccuracy"), 100 * (double) f.get("finalAccuracy")));
        }
        lines.add(!grpoGained
                ? String.format(Locale.ROOT, "GRPO ended at %.1f%% held-out, no gain on the warm start: no tokens-to-match figure.", 100 * target)
                : Double.isNaN(treeTokens)
                ? String.format(Locale.ROOT, "TreePO did not reach GRPO's final held-out accuracy (%.1f%%) in this run.", 100 * target)
                : String.format(Locale.ROOT, "TreePO reached GRPO's final held-out accuracy (%.1f%%) after %,.0f sampled tokens, %.2fx GRPO's %,.0f"
                        + " (target <= 0.7).", 100 * target, treeTokens, ratio, grpoTokens));
        Files.write(dir.resolve("comparison.txt"), lines);
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Files.writeString(dir.resolve("comparison.json"), mapper.writeValueAsString(result));
        plot(dir, tree, grpo);

        out.println();
        lines.forEach(out::println);
        out.println("Comparison: " + dir.toAbsolutePath() + " (comparison.txt, comparison.json, heldout_vs_step.png, heldout_vs_tokens.png,"
                + " tokens_per_trajectory.png, reward_vs_step.png)");
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(result));
        }
        out.flush();
    }

    private static void plot(Path dir, Side tree, Side grpo) throws Exception {
        List<Series> byStep = new ArrayList<>();
        List<Series> byTokens = new ArrayList<>();
        List<Series> tokensPerTrajectory = new ArrayList<>();
        List<Series> reward = new ArrayList<>();
        int batch = RunReport.COLUMNS.indexOf("batch");
        int tokens = RunReport.COLUMNS.indexOf("sampled_tokens");
        int leaves = RunReport.COLUMNS.indexOf("leaves");
        int rewardMean = RunReport.COLUMNS.indexOf("reward_mean");
        for (Side s : List.of(tree, grpo)) {
            String name = s.sampler().equals("tree") ? "TreePO (tree sampler)" : "GRPO (independent sampler)";
            double[] accuracy = s.heldOut().stream().mapToDouble(HeldOutPoint::accuracy).toArray();
            byStep.add(new Series(name, s.heldOut().stream().mapToDouble(HeldOutPoint::version).toArray(), accuracy));
            byTokens.add(new Series(name, s.heldOut().stream().mapToDouble(HeldOutPoint::sampledTokens).toArray(), accuracy));
            double[] steps = s.rows().stream().mapToDouble(r -> r[batch]).toArray();
            tokensPerTrajectory.add(new Series(name, steps, s.rows().stream().mapToDouble(r -> r[leaves] == 0 ? 0 : r[tokens] / r[leaves]).toArray()));
            reward.add(new Series(name, steps, s.rows().stream().mapToDouble(r -> Double.isNaN(r[rewardMean]) ? 0 : r[rewardMean]).toArray()));
        }
        RunReport.lineChart(dir.resolve("heldout_vs_step.png"), "Held-out accuracy (greedy) by training batch", "training batch",
                "held-out accuracy", byStep);
        RunReport.lineChart(dir.resolve("heldout_vs_tokens.png"), "Held-out accuracy (greedy) by sampled tokens", "sampled response tokens",
                "held-out accuracy", byTokens);
        RunReport.lineChart(dir.resolve("tokens_per_trajectory.png"), "Decoded tokens per trajectory (shared tree segments count once)", "training batch",
                "decoded tokens per trajectory", tokensPerTrajectory);
        RunReport.lineChart(dir.resolve("reward_vs_step.png"), "Mean reward of the training leaves", "training batch", "share", reward);
    }
}
