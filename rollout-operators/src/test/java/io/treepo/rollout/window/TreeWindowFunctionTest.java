package io.treepo.rollout.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treepo.schemas.FinishReason;
import io.treepo.schemas.Leaf;
import io.treepo.schemas.ScoredTree;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

class TreeWindowFunctionTest {

    static Leaf leaf(String treeId, int index, int leavesInTree) {
        return Leaf.newBuilder()
                .setTreeId(treeId).setPromptId("p-" + treeId).setTask("arithmetic").setReference("1")
                .setPromptTokens(List.of(256, 49)).setLeafIndex(index).setLeavesInTree(leavesInTree)
                .setNodePath(List.of(index)).setSegments(List.of()).setFinishReason(FinishReason.EOS)
                .setReward(index % 2 == 0 ? 1f : 0f).build();
    }

    static KeyedOneInputStreamOperatorTestHarness<String, Leaf, ScoredTree> harness() throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new TreeWindowFunction(Duration.ofSeconds(10), Duration.ofMinutes(10))),
                Leaf::getTreeId, Types.STRING);
        harness.open();
        return harness;
    }

    static List<ScoredTree> output(KeyedOneInputStreamOperatorTestHarness<String, Leaf, ScoredTree> harness) {
        return harness.extractOutputValues();
    }

    @Test
    void firesOnceWhenTheTreeIsComplete() throws Exception {
        try (var harness = harness()) {
            harness.processElement(new StreamRecord<>(leaf("a", 1, -1)));
            harness.processElement(new StreamRecord<>(leaf("b", 0, -1)));
            harness.processElement(new StreamRecord<>(leaf("a", 2, 3)));
            assertThat(output(harness)).isEmpty();
            harness.processElement(new StreamRecord<>(leaf("a", 0, -1)));

            List<ScoredTree> out = output(harness);
            assertEquals(1, out.size());
            ScoredTree tree = out.get(0);
            assertEquals("a", tree.getTreeId());
            assertTrue(tree.getComplete());
            assertThat(tree.getLeaves()).extracting(Leaf::getLeafIndex).containsExactly(0, 1, 2);

            // the timeout of a fired tree does nothing
            harness.setProcessingTime(20_000);
            assertThat(output(harness)).extracting(ScoredTree::getTreeId).containsExactly("a", "b");
        }
    }

    @Test
    void firesIncompleteOnTimeoutAndDropsLateLeaves() throws Exception {
        try (var harness = harness()) {
            harness.setProcessingTime(0);
            harness.processElement(new StreamRecord<>(leaf("a", 0, -1)));
            harness.processElement(new StreamRecord<>(leaf("a", 1, -1)));
            harness.setProcessingTime(9_999);
            assertThat(output(harness)).isEmpty();
            harness.setProcessingTime(10_000);
            List<ScoredTree> out = output(harness);
            assertEquals(1, out.size());
            assertFalse(out.get(0).getComplete());
            assertEquals(2, out.get(0).getLeaves().size());

            harness.processElement(new StreamRecord<>(leaf("a", 2, 3)));
            harness.setProcessingTime(40_000);
            assertEquals(1, output(harness).size(), "a late leaf opens no second window");
        }
    }

    @Test
    void leavesSurviveASnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness()) {
            harness.processElement(new StreamRecord<>(leaf("a", 0, -1)));
            harness.processElement(new StreamRecord<>(leaf("a", 1, 3)));
            snapshot = harness.snapshot(1, 1);
        }
        try (var restored = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new TreeWindowFunction(Duration.ofSeconds(10), Duration.ofMinutes(10))),
                Leaf::getTreeId, Types.STRING)) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement(new StreamRecord<>(leaf("a", 2, -1)));
            List<ScoredTree> out = restored.extractOutputValues();
            assertEquals(1, out.size());
            assertTrue(out.get(0).getComplete());
            assertEquals(3, out.get(0).getLeaves().size());
        }
    }
}
