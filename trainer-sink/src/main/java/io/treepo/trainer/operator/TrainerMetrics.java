package io.treepo.trainer.operator;

import io.treepo.policy.StepResult;
import io.treepo.schemas.Leaf;
import io.treepo.schemas.MetricsRecord;
import io.treepo.schemas.ScoredTree;
import io.treepo.schemas.Segment;
import io.treepo.trainer.PpoDiagnostics;
import io.treepo.trainer.UpdateReport;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** One update's figures: for the operator's gauges and, as a record, for the metrics topic (progress lines, CSV, plots). */
public final class TrainerMetrics {
    public static final String SOURCE = "trainer";

    private TrainerMetrics() {}

    /**
     * @param sampledTokens response tokens decoded for the trees received (what sampling cost): a segment
     *     that several leaves of a tree share counts once
     * @param trajectoryTokens response tokens of every leaf received (each leaf's full length)
     * @param staleness versions between the trainer and the oldest segment of the batch
     * @param workedShare share of the leaves whose response works step by step, among those whose task tells
     *     ({@link Leaf#getWorked}); NaN when no leaf's task tells
     */
    public record Step(long version, long optimizerSteps, boolean applied, int trees, int leaves, long sampledTokens, long trajectoryTokens,
            double rewardMean, double accuracy, double workedShare, int leavesTrained, int leavesStale, int zeroSignalTrees, double loss,
            double gradNorm, double learningRate, double clipFraction, double approxKl, double entropy, long staleness) {}

    static Step step(List<ScoredTree> trees, UpdateReport report, long version, long optimizerSteps, boolean applied) {
        int leaves = 0;
        int correct = 0;
        int styled = 0;
        int worked = 0;
        long tokens = 0;
        long trajectoryTokens = 0;
        double rewards = 0;
        long oldest = version;
        for (ScoredTree tree : trees) {
            Set<Integer> decoded = new HashSet<>();
            for (Leaf leaf : tree.getLeaves()) {
                leaves++;
                float reward = leaf.getReward() == null ? 0f : leaf.getReward();
                rewards += reward;
                correct += reward >= 1f ? 1 : 0;
                if (leaf.getWorked() != null) {
                    styled++;
                    worked += leaf.getWorked() ? 1 : 0;
                }
                for (Segment segment : leaf.getSegments()) {
                    trajectoryTokens += segment.getTokens().size();
                    if (decoded.add(segment.getNodeId())) {
                        tokens += segment.getTokens().size();
                    }
                    oldest = Math.min(oldest, segment.getPolicyVersion());
                }
            }
        }
        List<StepResult> steps = report.steps();
        return new Step(version, optimizerSteps, applied, trees.size(), leaves, tokens, trajectoryTokens,
                leaves == 0 ? Double.NaN : rewards / leaves, leaves == 0 ? Double.NaN : (double) correct / leaves,
                styled == 0 ? Double.NaN : (double) worked / styled,
                report.leavesTrained(), report.leavesStale(), report.zeroSignalGroups().size(),
                mean(steps, StepResult::loss), mean(steps, StepResult::gradNorm),
                steps.isEmpty() ? 0 : steps.get(steps.size() - 1).learningRate(),
                meanDiag(report, PpoDiagnostics::clipFraction), meanDiag(report, PpoDiagnostics::approxKl),
                meanDiag(report, PpoDiagnostics::entropyMean), Math.max(0, version - oldest));
    }

    public static MetricsRecord record(Step s, long nowMs) {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("applied", s.applied() ? 1.0 : 0.0);
        values.put("optimizer_steps", (double) s.optimizerSteps());
        values.put("trees", (double) s.trees());
        values.put("leaves", (double) s.leaves());
        values.put("sampled_tokens", (double) s.sampledTokens());
        values.put("trajectory_tokens", (double) s.trajectoryTokens());
        values.put("reward_mean", s.rewardMean());
        values.put("accuracy", s.accuracy());
        values.put("worked_share", s.workedShare());
        values.put("leaves_trained", (double) s.leavesTrained());
        values.put("leaves_stale", (double) s.leavesStale());
        values.put("zero_signal_trees", (double) s.zeroSignalTrees());
        values.put("loss", s.loss());
        values.put("grad_norm", s.gradNorm());
        values.put("learning_rate", s.learningRate());
        values.put("clip_fraction", s.clipFraction());
        values.put("approx_kl", s.approxKl());
        values.put("entropy", s.entropy());
        values.put("staleness", (double) s.staleness());
        return MetricsRecord.newBuilder()
                .setSource(SOURCE)
                .setStep(s.optimizerSteps())
                .setPolicyVersion(s.version())
                .setTimestampMs(nowMs)
                .setValues(values)
                .build();
    }

    private static double mean(List<StepResult> steps, ToDoubleFunction<StepResult> f) {
        return steps.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    private static double meanDiag(UpdateReport report, ToDoubleFunction<PpoDiagnostics> f) {
        return report.diagnostics().stream().mapToDouble(f).average().orElse(Double.NaN);
    }
}
