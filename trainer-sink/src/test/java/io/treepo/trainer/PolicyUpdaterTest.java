package io.treepo.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treepo.policy.ByteTokenizer;
import io.treepo.policy.ModelConfig;
import io.treepo.policy.PolicyTrainer;
import io.treepo.policy.Tokenizer;
import io.treepo.policy.TrainSequence;
import io.treepo.policy.TrainerConfig;
import io.treepo.schemas.FinishReason;
import io.treepo.schemas.Leaf;
import io.treepo.schemas.ScoredTree;
import io.treepo.schemas.Segment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyUpdaterTest {
    private static final Tokenizer TOKENIZER = new ByteTokenizer();
    private static final int[] PROMPT = TOKENIZER.encodePrompt("2+2=");

    private static List<Integer> boxed(int[] values) {
        List<Integer> out = new ArrayList<>();
        for (int v : values) out.add(v);
        return out;
    }

    /** A one-segment leaf whose behaviour log-probs are the trainer's current ones. */
    private static Leaf leaf(PolicyTrainer trainer, String tree, int index, String response, float reward, long version) {
        int[] tokens = TOKENIZER.encodeResponse(response);
        float[] lp = trainer.responseLogProbs(List.of(new TrainSequence(PROMPT, tokens)))[0];
        List<Float> logProbs = new ArrayList<>();
        List<Float> entropies = new ArrayList<>();
        for (float f : lp) {
            logProbs.add(f);
            entropies.add(1f);
        }
        Segment segment = Segment.newBuilder().setNodeId(index + 1).setTokens(boxed(tokens)).setLogProbs(logProbs)
                .setEntropies(entropies).setPolicyVersion(version).build();
        return Leaf.newBuilder().setTreeId(tree).setPromptId(tree).setTask("arithmetic").setReference("4")
                .setPromptTokens(boxed(PROMPT)).setLeafIndex(index).setNodePath(List.of(index + 1))
                .setSegments(List.of(segment)).setFinishReason(FinishReason.FINISHED).setReward(reward).build();
    }

    private static ScoredTree tree(String id, List<Leaf> leaves) {
        return ScoredTree.newBuilder().setTreeId(id).setPromptId(id).setTask("arithmetic").setPromptTokens(boxed(PROMPT))
                .setLeaves(leaves).setComplete(true).build();
    }

    @Test
    void dropsStaleLeavesAndZeroSignalTreesThenRaisesTheRewardedAnswer() {
        TrainerConfig fast = new TrainerConfig(1e-3f, 0, 0f, 1f, 0.9f, 0.95f, 1e-8f, 0);
        try (PolicyTrainer trainer = PolicyTrainer.create(ModelConfig.tiny(), fast, TOKENIZER, "cpu", 3)) {
            ScoredTree mixed = tree("mixed", List.of(
                    leaf(trainer, "mixed", 0, "4", 1f, 10),
                    leaf(trainer, "mixed", 1, "5", 0f, 10),
                    leaf(trainer, "mixed", 2, "6", 1f, 2))); // 8 versions behind: stale
            ScoredTree agreed = tree("agreed", List.of(leaf(trainer, "agreed", 0, "4", 1f, 10), leaf(trainer, "agreed", 1, "4", 1f, 10)));
            TrainSequence good = new TrainSequence(PROMPT, TOKENIZER.encodeResponse("4"));
            float before = trainer.responseLogProbs(List.of(good))[0][0];

            UpdateReport report = new PolicyUpdater(UpdateConfig.defaults(), trainer).update(List.of(mixed, agreed), 10);

            assertEquals(1, report.leavesStale());
            assertEquals(List.of("agreed"), report.zeroSignalGroups());
            assertEquals(2, report.leavesTrained());
            assertEquals(1, report.steps().size());
            assertFalse(report.steps().get(0).skipped());
            assertEquals(0.8, report.meanReward(), 1e-6);
            assertEquals(0, report.diagnostics().get(0).clipFraction(), 1e-6, "first step is on-policy: ratio 1");
            assertTrue(trainer.responseLogProbs(List.of(good))[0][0] > before, "the rewarded answer became more likely");
        }
    }

    @Test
    void laterEpochsStepThroughTheSameBatchAgainWithRatiosOffOne() {
        TrainerConfig fast = new TrainerConfig(1e-3f, 0, 0f, 1f, 0.9f, 0.95f, 1e-8f, 0);
        try (PolicyTrainer trainer = PolicyTrainer.create(ModelConfig.tiny(), fast, TOKENIZER, "cpu", 3)) {
            ScoredTree mixed = tree("mixed", List.of(leaf(trainer, "mixed", 0, "4", 1f, 10), leaf(trainer, "mixed", 1, "5", 0f, 10)));
            UpdateConfig threeEpochs = new UpdateConfig(AdvantageEstimator.tree(TreeAdvantage.Weighting.AVERAGE),
                    PpoConfig.defaults().withEpochs(3), new StalenessFilter(4), true, 64);

            UpdateReport report = new PolicyUpdater(threeEpochs, trainer).update(List.of(mixed), 10);

            assertEquals(3, report.steps().size(), "one mini-batch, three passes");
            assertEquals(2, report.leavesTrained());
            assertEquals(0, report.diagnostics().get(0).approxKl(), 1e-6, "the first pass is on-policy");
            assertTrue(report.diagnostics().get(2).approxKl() > 0, "later passes see the policy the earlier ones moved");
        }
    }

    @Test
    void fr3eLeavesReachTheEstimatorKeyedByTreeAndState() {
        TrainerConfig fast = new TrainerConfig(1e-3f, 0, 0f, 1f, 0.9f, 0.95f, 1e-8f, 0);
        try (PolicyTrainer trainer = PolicyTrainer.create(ModelConfig.tiny(), fast, TOKENIZER, "cpu", 3)) {
            // S_0 splits (kept), S_1 agrees (no signal: dropped), S_2 splits (kept); rows out of state order
            String[] answers = {"4", "5", "4", "4", "5", "4"};
            float[] rewards = {1, 0, 1, 1, 0, 1};
            int[] states = {0, 0, 1, 2, 2, 1};
            List<Leaf> leaves = new ArrayList<>();
            for (int i = 0; i < answers.length; i++) {
                leaves.add(Leaf.newBuilder(leaf(trainer, "traj", i, answers[i], rewards[i], 10)).setSampler("fr3e").setFr3eState(states[i]).build());
            }
            assertEquals(new GroupLeaf.StateKey("traj", 2), TrainingLeaf.of(leaves.get(3)).view().state());
            assertEquals(null, TrainingLeaf.of(leaf(trainer, "tree", 0, "4", 1f, 10)).view().state(), "other samplers' leaves have no key");
            UpdateConfig fr3e = new UpdateConfig(Estimator.FR3E.create(), PpoConfig.defaults(), new StalenessFilter(4), true, 64);

            UpdateReport report = new PolicyUpdater(fr3e, trainer).update(List.of(tree("traj", leaves)), 10);

            assertEquals(4, report.leavesTrained());
            assertEquals(2, report.leavesDropped(), "S_1's two rollouts");
            assertEquals(1, report.steps().size());
            assertFalse(report.steps().get(0).skipped());
        }
    }
}
