package io.treepo.rollout.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.treepo.policy.ByteTokenizer;
import io.treepo.policy.EncodedWeights;
import io.treepo.policy.ModelConfig;
import io.treepo.policy.PolicyTrainer;
import io.treepo.policy.TrainerConfig;
import io.treepo.rollout.sampler.TreeConfig;
import io.treepo.schemas.Leaf;
import io.treepo.schemas.Prompt;
import io.treepo.schemas.Segment;
import io.treepo.schemas.weights.PolicyVersions;
import io.treepo.schemas.weights.WeightsAssembler.Assembled;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rollout operator on Flink's harness with a tiny real model: emission, version swaps, snapshot and restore. */
class TreeRolloutOperatorTest {
    private static final int WIDTH = 4;
    private static byte[] version0;
    private static Assembled version1;

    @BeforeAll
    static void tinyModels() {
        version0 = versionOf(7, 0);
        version1 = PolicyVersions.fromBytes(versionOf(8, 1));
    }

    static byte[] versionOf(long seed, long version) {
        try (PolicyTrainer trainer = PolicyTrainer.create(ModelConfig.tiny(), TrainerConfig.defaults(), new ByteTokenizer(), "cpu", seed)) {
            EncodedWeights w = trainer.weights();
            return PolicyVersions.toBytes(new Assembled(version, version, w.config().toJson(), w.sha256(), w.payload(), System.currentTimeMillis()));
        }
    }

    static RolloutConfig config() {
        return config(8);
    }

    static RolloutConfig config(int maxTreesInFlight) {
        // A random tiny model rarely says EOS: trees end by length, after several rounds.
        TreeConfig tree = TreeConfig.builder().width(WIDTH).segmentTokens(4).maxDepth(6).maxResponseTokens(16).build();
        return new RolloutConfig(tree, maxTreesInFlight, version0, 16L << 20, 11, "cpu");
    }

    static KeyedTwoInputStreamOperatorTestHarness<String, Prompt, Assembled, Leaf> harness() throws Exception {
        return harness(config());
    }

    static KeyedTwoInputStreamOperatorTestHarness<String, Prompt, Assembled, Leaf> harness(RolloutConfig config) throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(new TreeRolloutOperator(config), Prompt::getId, weights -> "", Types.STRING);
    }

    static Prompt prompt(String id) {
        return Prompt.newBuilder().setId(id).setTask("echo").setText("Say 42\n").setReference("42").build();
    }

    /** Advances processing time one millisecond at a time (one round each) until the trees are done. */
    static void runRounds(KeyedTwoInputStreamOperatorTestHarness<String, Prompt, Assembled, Leaf> harness, int rounds) throws Exception {
        for (int i = 0; i < rounds; i++) {
            harness.setProcessingTime(harness.getProcessingTime() + 1);
        }
    }

    static Map<Integer, List<Integer>> segmentsById(List<Leaf> leaves) {
        Map<Integer, List<Integer>> byId = new HashMap<>();
        for (Leaf leaf : leaves) {
            for (Segment segment : leaf.getSegments()) {
                byId.put(segment.getNodeId(), segment.getTokens());
            }
        }
        return byId;
    }

    @Test
    void growsEveryTreeToItsWidthAndTellsTheLeafCount() throws Exception {
        try (var harness = harness()) {
            harness.open();
            harness.processElement1(new StreamRecord<>(prompt("a")));
            harness.processElement1(new StreamRecord<>(prompt("b")));
            runRounds(harness, 40);
            List<Leaf> leaves = harness.extractOutputValues();
            assertThat(leaves).hasSize(2 * WIDTH);
            for (String tree : List.of("a", "b")) {
                List<Leaf> own = leaves.stream().filter(l -> l.getTreeId().equals(tree)).toList();
                assertThat(own).hasSize(WIDTH);
                assertThat(own.stream().filter(l -> l.getLeavesInTree() >= 0).map(Leaf::getLeavesInTree)).containsExactly(WIDTH);
                own.forEach(l -> assertEquals(l.getNodePath().size(), l.getSegments().size()));
            }
        }
    }

    @Test
    void aHuggingFaceTokenizerInTheConfigEncodesPromptsAsTheOperatorsTokenizer() throws Exception {
        // the byte vocabulary written as tokenizer.json: the same ids, through Hugging Face's native tokenizer
        RolloutConfig bytes = config();
        RolloutConfig hf = new RolloutConfig(bytes.tree(), bytes.maxTreesInFlight(), bytes.initialWeights(), bytes.cacheBudgetBytes(),
                bytes.seed(), bytes.device(), ByteTokenizer.huggingFaceFiles());
        List<List<Leaf>> runs = new java.util.ArrayList<>();
        for (RolloutConfig config : List.of(bytes, hf)) {
            try (var harness = harness(config)) {
                harness.open();
                harness.processElement1(new StreamRecord<>(prompt("a")));
                runRounds(harness, 40);
                runs.add(harness.extractOutputValues());
            }
        }
        assertThat(runs.get(1)).hasSize(WIDTH);
        assertEquals(segmentsById(runs.get(0)), segmentsById(runs.get(1)));
    }

    @Test
    void aDuplicatePromptIsDropped() throws Exception {
        try (var harness = harness()) {
            harness.open();
            harness.processElement1(new StreamRecord<>(prompt("a")));
            harness.processElement1(new StreamRecord<>(prompt("a")));
            runRounds(harness, 40);
            assertThat(harness.extractOutputValues()).hasSize(WIDTH);
        }
    }

    @Test
    void segmentsAfterASwapCarryTheNewVersion() throws Exception {
        try (var harness = harness()) {
            harness.open();
            harness.processElement1(new StreamRecord<>(prompt("a")));
            runRounds(harness, 1);
            harness.processElement2(new StreamRecord<>(version1));
            runRounds(harness, 40);
            List<Leaf> leaves = harness.extractOutputValues();
            assertThat(leaves).hasSize(WIDTH);
            for (Leaf leaf : leaves) {
                assertEquals(0, leaf.getSegments().get(0).getPolicyVersion(), "first segment decoded before the swap");
                assertEquals(1, leaf.getSegments().get(leaf.getSegments().size() - 1).getPolicyVersion());
            }
        }
    }

    @Test
    void aRestoredHalfBuiltTreeFinishesWithoutDecodingItsSegmentsAgain() throws Exception {
        OperatorSubtaskState snapshot;
        List<Leaf> uninterrupted;
        int emittedBeforeSnapshot;
        try (var harness = harness()) {
            harness.open();
            harness.processElement1(new StreamRecord<>(prompt("a")));
            runRounds(harness, 2);
            emittedBeforeSnapshot = harness.extractOutputValues().size();
            assertThat(emittedBeforeSnapshot).as("the tree is half built").isLessThan(WIDTH);
            snapshot = harness.snapshot(1, harness.getProcessingTime());
            runRounds(harness, 40);
            uninterrupted = harness.extractOutputValues();
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            runRounds(restored, 40);
            List<Leaf> resumed = restored.extractOutputValues();
            Map<Integer, List<Integer>> before = segmentsById(uninterrupted);
            Map<Integer, List<Integer>> after = segmentsById(resumed);
            // Nodes 1 and 2 are the first divergence, decoded before the snapshot: the restored run
            // continues from exactly those tokens instead of sampling them anew.
            assertThat(after.get(1)).isEqualTo(before.get(1));
            assertThat(after.get(2)).isEqualTo(before.get(2));
            assertEquals(WIDTH, emittedBeforeSnapshot + resumed.size(), "no leaf lost, none emitted twice");
            assertThat(resumed.stream().filter(l -> l.getLeavesInTree() >= 0)).hasSize(1);
        }
    }

    @Test
    void promptsWaitingForRoomSurviveARestore() throws Exception {
        OperatorSubtaskState snapshot;
        List<Leaf> before;
        try (var harness = harness(config(1))) {
            harness.open();
            for (String id : List.of("a", "b", "c")) {
                harness.processElement1(new StreamRecord<>(prompt(id)));
            }
            before = harness.extractOutputValues();
            snapshot = harness.snapshot(1, harness.getProcessingTime());
        }
        try (var restored = harness(config(1))) {
            restored.initializeState(snapshot);
            restored.open();
            runRounds(restored, 120);
            List<Leaf> leaves = new ArrayList<>(restored.extractOutputValues());
            assertEquals(3 * WIDTH, before.size() + leaves.size(), "no leaf lost, none emitted twice");
            leaves.addAll(before);
            assertThat(leaves.stream().filter(l -> l.getLeavesInTree() >= 0).map(Leaf::getTreeId)).containsExactlyInAnyOrder("a", "b", "c");
        }
    }
}
