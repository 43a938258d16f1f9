package io.treepo.cli;

import io.treepo.kafka.TaskPrompts;
import io.treepo.policy.DecoderConfig;
import io.treepo.policy.DjlSegmentDecoder;
import io.treepo.policy.ModelFiles;
import io.treepo.policy.PolicyTrainer;
import io.treepo.policy.SamplingConfig;
import io.treepo.policy.Tokenizer;
import io.treepo.policy.TrainerConfig;
import io.treepo.report.RunReport;
import io.treepo.rollout.operator.LeafRecords;
import io.treepo.rollout.reward.RewardFunction;
import io.treepo.rollout.reward.RewardRule;
import io.treepo.rollout.sampler.RolloutSampler;
import io.treepo.rollout.sampler.SampledLeaf;
import io.treepo.rollout.sampler.TreeConfig;
import io.treepo.rollout.window.TreeWindowFunction;
import io.treepo.schemas.Leaf;
import io.treepo.schemas.Prompt;
import io.treepo.schemas.ScoredTree;
import io.treepo.tasks.Task;
import io.treepo.trainer.PolicyUpdater;
import io.treepo.trainer.PpoDiagnostics;
import io.treepo.trainer.UpdateReport;
import io.treepo.trainer.operator.TrainerSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code treepo bench learning}: the loop's learning step without the loop. The same sampler,
 * verifier, advantages and PPO update as the job, driven in one process and strictly on-policy
 * (sample, score, update, install, repeat), with greedy held-out accuracy every few updates. An
 * experiment here takes a minute where a demo takes fifteen, and the settings carry over: it takes
 * the loop's own options.
 */
@Command(
        name = "learning",
        mixinStandardHelpOptions = true,
        description = {
            "RL from the warm start in one process, without Kafka or Flink: the loop's sampler, verifier, advantages and "
                    + "PPO update, strictly on-policy, with greedy held-out accuracy every few updates.",
            "For finding learning settings quickly; `demo` and `compare` then run them through the real loop."
        })
public final class BenchLearningCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    LoopOptions loop;

    @Mixin
    WarmStartOptions start;

    @Option(names = "--updates", paramLabel = "N", defaultValue = "50", description = "Policy updates to run. Default: ${DEFAULT-VALUE}.")
    int updates;

    @Option(names = "--signal-trees", paramLabel = "N", defaultValue = "0",
            description = "0: each update trains the --trees-per-step trees as sampled (trees whose leaves all score alike teach "
                    + "nothing and drop out). N: keep sampling until N trees whose leaves disagree, and train on those "
                    + "(DAPO's dynamic sampling). Default: ${DEFAULT-VALUE}.")
    int signalTrees;

    @Option(names = "--eval-prompts", paramLabel = "N", defaultValue = "300",
            description = "Held-out problems scored greedily, as `eval` does. Default: ${DEFAULT-VALUE}.")
    int evalPrompts;

    @Option(names = "--eval-every", paramLabel = "UPDATES", defaultValue = "10",
            description = "Updates between held-out evaluations (and at the start and the end). Default: ${DEFAULT-VALUE}.")
    int evalEvery;

    @Option(names = "--report-dir", paramLabel = "DIR",
            description = "Also write learning.csv (one row per update) and plots of held-out accuracy and reward by update here.")
    Path reportDir;

    @Override
    public Integer call() {
        if (updates < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--updates must be >= 1, got " + updates);
        if (signalTrees < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--signal-trees must be >= 0, got " + signalTrees);
        if (evalPrompts < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--eval-prompts must be >= 1, got " + evalPrompts);
        if (evalEvery < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--eval-every must be >= 1, got " + evalEvery);
        loop.validate(spec);
        Task source = start.validate(spec);
        if (reportDir != null) {
            try {
                Files.createDirectories(reportDir); // now, not after the run: a bad path should not cost the run
            } catch (IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--report-dir: cannot create " + reportDir + ": " + e);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        ModelFiles.Model warmStart = start.load(spec, out);
        TreeConfig tree;
        TrainerSettings settings;
        try {
            tree = loop.treeConfig();
            settings = loop.trainerSettings(warmStart);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        new Experiment(tree, settings, source, warmStart, out).run();
        return 0;
    }

    /** One run: the policy being trained, the decoder sampling from it, and the figures so far. */
    private final class Experiment {
        private final TreeConfig tree;
        private final TrainerSettings settings;
        private final Task task;
        private final ModelFiles.Model warmStart;
        private final PrintWriter out;
        private final Tokenizer tokenizer;
        private final RewardRule rule = loop.rewardRule();
        private final TaskPrompts prompts;
        private final long started = System.nanoTime();
        private long sampledTokens;
        private long version;
        private final StringBuilder csv = new StringBuilder(
                "update,trees,signal_trees,solved_trees,reward,right_answer_wrong_work,leaves_trained,entropy,sampled_tokens,time_s,heldout_accuracy\n");
        private final List<double[]> heldOut = new ArrayList<>(); // (update, accuracy), the start first
        private final List<double[]> rewards = new ArrayList<>(); // (update, mean leaf reward)

        Experiment(TreeConfig tree, TrainerSettings settings, Task task, ModelFiles.Model warmStart, PrintWriter out) {
            this.tree = tree;
            this.settings = settings;
            this.task = task;
            this.warmStart = warmStart;
            this.tokenizer = warmStart.tokenizer();
            this.out = out;
            this.prompts = new TaskPrompts(task, Task.Split.TRAIN, loop.seed * 1_000_003L, -1);
        }

        void run() {
            TrainerConfig optimizer = settings.optimizer();
            out.printf("bench learning: %s from %s, %d updates of %s, lr %s%s, %s advantages, %s sampler, width %d%s%n",
                    task.name(), start.model(), updates,
                    signalTrees > 0 ? signalTrees + " trees with signal" : settings.treesPerStep() + " trees",
                    optimizer.learningRate(),
                    optimizer.decaySteps() == 0 ? "" : " falling to " + optimizer.learningRate() * TrainerConfig.DECAY_FLOOR
                            + " over " + optimizer.decaySteps() + " steps",
                    settings.estimator(), tree.kind(),
                    tree.width(), loop.checkWork ? ", reward checks the work" : "");
            try (tokenizer;
                    PolicyTrainer trainer = PolicyTrainer.create(warmStart.weights(), settings.optimizer(), tokenizer, settings.device());
                    DjlSegmentDecoder decoder = DjlSegmentDecoder.create(DecoderConfig.defaults(), tokenizer, warmStart.weights(), 0)) {
                PolicyUpdater updater = new PolicyUpdater(settings.updateConfig(), trainer);
                csv.append(String.format(Locale.ROOT, "0,,,,,,,,0,%.1f,%.4f%n", seconds(), evaluate(decoder, 0)));
                for (int update = 1; update <= updates; update++) {
                    Batch batch = sample(decoder, settings.treesPerStep());
                    UpdateReport report = updater.update(batch.trees(), version);
                    version++;
                    decoder.installWeights(trainer.weights(), version);
                    out.printf("update %3d  trees %3d (%3d with signal, %3d solved)  reward %.3f  right answer, wrong work %5.1f%%  "
                                    + "leaves trained %4d  entropy %.3f  %5.0f s%n",
                            update, batch.sampledTrees(), batch.signalTrees(), batch.solvedTrees(), batch.meanReward(), 100 * batch.wrongWorkShare(),
                            report.leavesTrained(), entropy(report), seconds());
                    rewards.add(new double[] {update, batch.meanReward()});
                    String accuracy = update % evalEvery == 0 || update == updates
                            ? String.format(Locale.ROOT, "%.4f", evaluate(decoder, update)) : "";
                    csv.append(String.format(Locale.ROOT, "%d,%d,%d,%d,%.4f,%.4f,%d,%.4f,%d,%.1f,%s%n", update, batch.sampledTrees(),
                            batch.signalTrees(), batch.solvedTrees(), batch.meanReward(), batch.wrongWorkShare(), report.leavesTrained(), entropy(report),
                            sampledTokens, seconds(), accuracy));
                    out.flush();
                }
                double[] best = heldOut.stream().max(Comparator.comparingDouble(p -> p[1])).orElseThrow();
                out.printf("held-out accuracy %.1f%% at the start, %.1f%% after %d updates (best %.1f%% after %d); "
                                + "%,d tokens sampled in %.0f s%n",
                        100 * heldOut.get(0)[1], 100 * heldOut.get(heldOut.size() - 1)[1], updates, 100 * best[1], (int) best[0],
                        sampledTokens, seconds());
                if (reportDir != null) {
                    writeReport();
                }
                out.flush();
            }
        }

        private void writeReport() {
            try {
                Files.writeString(reportDir.resolve("learning.csv"), csv);
                RunReport.lineChart(reportDir.resolve("heldout_vs_update.png"), "Held-out accuracy (greedy)", "update", "accuracy",
                        List.of(series("held-out accuracy", heldOut)));
                RunReport.lineChart(reportDir.resolve("reward_vs_update.png"), "Mean reward of the sampled leaves", "update", "reward",
                        List.of(series("reward", rewards)));
                out.printf("Report: %s (learning.csv, heldout_vs_update.png, reward_vs_update.png)%n", reportDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the report to " + reportDir + ": " + e.getMessage(), e);
            }
        }

        private static RunReport.Series series(String name, List<double[]> points) {
            return new RunReport.Series(name, points.stream().mapToDouble(p -> p[0]).toArray(), points.stream().mapToDouble(p -> p[1]).toArray());
        }

        /** Samples trees until the batch is full: by trees sampled, or by trees with signal (--signal-trees). */
        private Batch sample(DjlSegmentDecoder decoder, int treesPerRound) {
            Batch batch = new Batch();
            do {
                RolloutSampler sampler = new RolloutSampler(tree, decoder, tokenizer::decode,
                        loop.seed + batch.sampledTrees() + version * 1_000_003L);
                Map<String, Prompt> byTree = new HashMap<>();
                for (int i = 0; i < treesPerRound; i++) {
                    Prompt prompt = prompts.next();
                    String treeId = prompt.getId() + "@" + version;
                    byTree.put(treeId, prompt);
                    sampler.start(new RolloutSampler.TreeRequest(treeId, prompt.getId(), tokenizer.encodePrompt(prompt.getText()),
                            task::answerFound, loop.seed ^ prompt.getId().hashCode()));
                }
                Map<String, List<Leaf>> leaves = new LinkedHashMap<>();
                for (SampledLeaf leaf : sampler.runToCompletion()) {
                    sampledTokens += leaf.responseTokens().length;
                    leaves.computeIfAbsent(leaf.treeId(), k -> new ArrayList<>()).add(scored(leaf, byTree.get(leaf.treeId()), batch));
                }
                leaves.forEach((treeId, treeLeaves) -> batch.add(
                        TreeWindowFunction.scoredTree(treeId, treeLeaves, true, System.currentTimeMillis()), signalTrees > 0));
            } while (signalTrees > 0 ? batch.signalTrees() < signalTrees : batch.sampledTrees() < treesPerRound);
            return batch;
        }

        private Leaf scored(SampledLeaf sampled, Prompt prompt, Batch batch) {
            Leaf leaf = LeafRecords.toRecord(sampled, prompt);
            RewardRule.Reward reward = rule.score(task, RewardFunction.responseText(leaf, tokenizer), prompt.getReference());
            batch.countLeaf(reward);
            return Leaf.newBuilder(leaf).setReward((float) reward.reward()).setExtractedAnswer(reward.extractedAnswer()).setWorked(reward.worked()).build();
        }

        private double evaluate(DjlSegmentDecoder decoder, int update) {
            TaskEvaluation.Result r = TaskEvaluation.run(decoder, tokenizer, task, evalPrompts, LoopRun.EVAL_SEED, SamplingConfig.greedy(), 200);
            out.printf("held-out accuracy %.1f%% (%d/%d, greedy) after %d updates, %,d tokens sampled, %.0f s%n",
                    100 * r.accuracy(), r.correct(), r.n(), update, sampledTokens, seconds());
            out.flush();
            heldOut.add(new double[] {update, r.accuracy()});
            return r.accuracy();
        }

        private static double entropy(UpdateReport report) {
            return report.diagnostics().stream().mapToDouble(PpoDiagnostics::entropyMean).average().orElse(Double.NaN);
        }

        private double seconds() {
            return (System.nanoTime() - started) / 1e9;
        }
    }

    /** The trees one update trains, and what their leaves scored. */
    private static final class Batch {
        private final List<ScoredTree> trees = new ArrayList<>();
        private int sampledTrees;
        private int signalTrees;
        private int solvedTrees;
        private int leaves;
        private double rewardSum;
        private int right;
        private int wrongWork;

        /** @param signalOnly keep only trees whose leaves disagree (the others are counted, not trained) */
        void add(ScoredTree tree, boolean signalOnly) {
            sampledTrees++;
            if (tree.getLeaves().stream().anyMatch(l -> l.getReward() >= 1)) solvedTrees++;
            boolean signal = tree.getLeaves().stream().map(Leaf::getReward).distinct().count() > 1;
            if (signal) signalTrees++;
            if (signal || !signalOnly) trees.add(tree);
        }

        void countLeaf(RewardRule.Reward reward) {
            leaves++;
            rewardSum += reward.reward();
            if (reward.reward() >= 1 || reward.rightAnswerWrongWork()) right++;
            if (reward.rightAnswerWrongWork()) wrongWork++;
        }

        List<ScoredTree> trees() {
            return trees;
        }

        int sampledTrees() {
            return sampledTrees;
        }

        int signalTrees() {
            return signalTrees;
        }

        /** Trees with at least one leaf scoring 1: the sampled pass@width. */
        int solvedTrees() {
            return solvedTrees;
        }

        double meanReward() {
            return leaves == 0 ? 0 : rewardSum / leaves;
        }

        /** Of the leaves with the right answer, the share whose worked steps are not all true. */
        double wrongWorkShare() {
            return right == 0 ? 0 : (double) wrongWork / right;
        }
    }
}
