package io.treepo.trainer.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.treepo.policy.ByteTokenizer;
import io.treepo.policy.EncodedWeights;
import io.treepo.policy.ModelConfig;
import io.treepo.policy.PolicyTrainer;
import io.treepo.policy.Tokenizer;
import io.treepo.policy.TrainerConfig;
import io.treepo.schemas.FinishReason;
import io.treepo.schemas.LedgerEntry;
import io.treepo.schemas.Leaf;
import io.treepo.schemas.PolicyWeights;
import io.treepo.schemas.ScoredTree;
import io.treepo.schemas.Segment;
import io.treepo.schemas.weights.PolicyVersions;
import io.treepo.schemas.weights.WeightsAssembler.Assembled;
import io.treepo.trainer.Estimator;
import io.treepo.trainer.PpoConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The trainer operator on Flink's harness: a poisoned batch is skipped, counted in the ledger, and publishes nothing. */
class TrainerFunctionTest {
    private static final Tokenizer TOKENIZER = new ByteTokenizer();
    private static final int[] PROMPT = TOKENIZER.encodePrompt("2+2=");

    private static byte[] version0() {
        try (PolicyTrainer trainer = PolicyTrainer.create(ModelConfig.tiny(), TrainerConfig.defaults(), TOKENIZER, "cpu", 5)) {
            EncodedWeights w = trainer.weights();
            return PolicyVersions.toBytes(new Assembled(0, 0, w.config().toJson(), w.sha256(), w.payload(), 0));
        }
    }

    private static List<Integer> boxed(int[] values) {
        List<Integer> out = new ArrayList<>();
        for (int v : values) out.add(v);
        return out;
    }

    /** A tree of two one-segment leaves, one right and one wrong, whose behaviour log-probs are all {@code logProb}. */
    private static ScoredTree tree(String id, float logProb) {
        List<Leaf> leaves = new ArrayList<>();
        String[] answers = {"4", "5"};
        for (int i = 0; i < answers.length; i++) {
            int[] tokens = TOKENIZER.encodeResponse(answers[i]);
            Segment segment = Segment.newBuilder().setNodeId(i + 1).setTokens(boxed(tokens))
                    .setLogProbs(new ArrayList<>(Collections.nCopies(tokens.length, logProb)))
                    .setEntropies(new ArrayList<>(Collections.nCopies(tokens.length, 1f))).setPolicyVersion(0).build();
            leaves.add(Leaf.newBuilder().setTreeId(id).setPromptId(id).setTask("arithmetic").setReference("4")
                    .setPromptTokens(boxed(PROMPT)).setLeafIndex(i).setNodePath(List.of(i + 1)).setSegments(List.of(segment))
                    .setFinishReason(FinishReason.FINISHED).setReward(i == 0 ? 1f : 0f).build());
        }
        return ScoredTree.newBuilder().setTreeId(id).setPromptId(id).setTask("arithmetic").setPromptTokens(boxed(PROMPT))
                .setLeaves(leaves).setComplete(true).build();
    }

    @ParameterizedTest
    @ValueSource(floats = {Float.NaN, Float.NEGATIVE_INFINITY})
    void aBatchWithANonFiniteLossSkipsTheStepCountsItAndPublishesNothing(float poison) throws Exception {
        TrainerSettings settings = new TrainerSettings(Estimator.TREE_AVERAGE, PpoConfig.defaults(), 100, false, 64,
                TrainerConfig.defaults(), version0(), 2, 4096, "cpu");
        TrainerFunction trainer = new TrainerFunction(settings);
        try (OneInputStreamOperatorTestHarness<ScoredTree, PolicyWeights> harness = ProcessFunctionTestHarnesses.forProcessFunction(trainer)) {
            harness.processElement(new StreamRecord<>(tree("a", poison)));
            harness.processElement(new StreamRecord<>(tree("b", -1f)));
            assertThat(harness.extractOutputValues()).as("weights published after a poisoned batch").isEmpty();
            List<LedgerEntry> ledger = ledger(harness);
            assertEquals(1, ledger.size());
            assertThat(ledger.get(0).getApplied()).isFalse();
            assertThat(ledger.get(0).getStepsSkipped()).isPositive();
            assertEquals(0, ledger.get(0).getVersion());

            harness.processElement(new StreamRecord<>(tree("c", -1f)));
            harness.processElement(new StreamRecord<>(tree("d", -1f)));
            assertThat(harness.extractOutputValues()).as("the next good batch publishes version 1")
                    .isNotEmpty().allSatisfy(chunk -> assertEquals(1, chunk.getVersion()));
            assertThat(ledger(harness).get(1).getApplied()).isTrue();
        }
    }

    private static List<LedgerEntry> ledger(OneInputStreamOperatorTestHarness<ScoredTree, PolicyWeights> harness) {
        List<LedgerEntry> entries = new ArrayList<>();
        harness.getSideOutput(TrainerFunction.LEDGER).forEach(record -> entries.add(record.getValue()));
        return entries;
    }
}
