package io.treepo.trainer;

import ai.djl.ndarray.NDManager;
import io.treepo.policy.PolicyTrainer;
import io.treepo.policy.StepResult;
import io.treepo.policy.TrainSequence;
import io.treepo.schemas.ScoredTree;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch of scored trees to PPO steps (TREEPO.md sections 3 and 4): staleness bound per leaf, one
 * group per tree, zero-signal groups out, advantages over the whole batch, then {@code ppo.epochs} passes of
 * mini-batch steps whose ratios use the behaviour log-probs recorded at sampling.
 *
 * <p>Thread-confined like the {@link PolicyTrainer} it drives.
 */
public final class PolicyUpdater {
    private final UpdateConfig config;
    private final PolicyTrainer trainer;
    private final PpoLoss loss;

    public PolicyUpdater(UpdateConfig config, PolicyTrainer trainer) {
        this.config = config;
        this.trainer = trainer;
        this.loss = new PpoLoss(config.ppo());
    }

    /** @param currentVersion the version the trainer's weights are (what staleness is measured from) */
    public UpdateReport update(List<ScoredTree> trees, long currentVersion) {
        List<LeafGroup> groups = new ArrayList<>();
        List<List<TrainingLeaf>> groupLeaves = new ArrayList<>();
        List<String> zeroSignal = new ArrayList<>();
        int stale = 0;
        double rewardSum = 0;
        int scored = 0;
        for (ScoredTree tree : trees) {
            // Unscored leaves (window timeouts) and empty responses (a prompt that filled the context) teach nothing.
            List<TrainingLeaf> leaves = tree.getLeaves().stream()
                    .filter(l -> l.getReward() != null && l.getSegments().stream().anyMatch(s -> !s.getTokens().isEmpty()))
                    .map(TrainingLeaf::of).toList();
            scored += leaves.size();
            rewardSum += leaves.stream().mapToDouble(l -> l.view().reward()).sum();
            StalenessFilter.Split<TrainingLeaf> fresh = config.staleness().apply(leaves, TrainingLeaf::oldestPolicyVersion, currentVersion);
            stale += fresh.dropped().size();
            if (fresh.kept().isEmpty()) {
                continue;
            }
            LeafGroup group = new LeafGroup(tree.getTreeId(), fresh.kept().stream().map(TrainingLeaf::view).toList());
            if (!group.hasSignal()) {
                zeroSignal.add(group.groupId());
                if (config.dropZeroSignal()) {
                    continue;
                }
            }
            groups.add(group);
            groupLeaves.add(fresh.kept());
        }

        List<Sample> samples = new ArrayList<>();
        int dropped = 0;
        if (!groups.isEmpty()) {
            Advantages advantages = config.estimator().estimate(groups);
            for (int g = 0; g < groups.size(); g++) {
                List<Advantages.LeafAdvantage> perLeaf = advantages.groups().get(g).leaves();
                for (int i = 0; i < perLeaf.size(); i++) {
                    if (perLeaf.get(i).kept()) {
                        samples.add(new Sample(groupLeaves.get(g).get(i), perLeaf.get(i).tokens()));
                    } else {
                        dropped++;
                    }
                }
            }
        }

        List<StepResult> steps = new ArrayList<>();
        List<PpoDiagnostics> diagnostics = new ArrayList<>();
        for (int epoch = 0; epoch < config.ppo().epochs(); epoch++) {
            for (int from = 0; from < samples.size(); from += config.miniBatchLeaves()) {
                List<Sample> mini = samples.subList(from, Math.min(samples.size(), from + config.miniBatchLeaves()));
                steps.add(step(mini, diagnostics));
            }
        }
        return new UpdateReport(steps, diagnostics, samples.size(), stale, dropped, zeroSignal, scored == 0 ? 0 : rewardSum / scored);
    }

    private StepResult step(List<Sample> mini, List<PpoDiagnostics> diagnostics) {
        List<TrainSequence> sequences = mini.stream().map(s -> s.leaf().sequence()).toList();
        float[][] behaviour = mini.stream().map(s -> s.leaf().behaviourLogProbs()).toArray(float[][]::new);
        float[][] advantages = mini.stream().map(Sample::advantages).toArray(float[][]::new);
        return trainer.step(sequences, logProbs -> {
            NDManager m = logProbs.mask().getManager();
            int width = (int) logProbs.mask().getShape().get(1);
            PpoLoss.PpoResult result = loss.compute(logProbs, PaddedRows.of(m, behaviour, width), PaddedRows.of(m, advantages, width));
            diagnostics.add(result.diagnostics());
            return result.loss();
        });
    }

    private record Sample(TrainingLeaf leaf, float[] advantages) {}
}
