package io.treepo.trainer.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.treepo.schemas.FinishReason;
import io.treepo.schemas.Leaf;
import io.treepo.schemas.ScoredTree;
import io.treepo.schemas.Segment;
import io.treepo.trainer.UpdateReport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An update's figures from hand-built trees: the worked share counts only leaves whose task tells. */
class TrainerMetricsTest {
    private static final UpdateReport NOTHING_TRAINED = new UpdateReport(List.of(), List.of(), 0, 0, 0, List.of(), 0);

    /** A leaf of one three-token segment of its own, with the reward and worked flag the reward step would set. */
    private static Leaf leaf(int index, float reward, Boolean worked) {
        Segment segment = Segment.newBuilder().setNodeId(index + 1).setTokens(List.of(1, 2, 3)).setLogProbs(List.of(-1f, -1f, -1f))
                .setEntropies(List.of(1f, 1f, 1f)).setPolicyVersion(0).build();
        return Leaf.newBuilder().setTreeId("t").setPromptId("p").setTask("strategy-arithmetic").setReference("4").setPromptTokens(List.of(9))
                .setLeafIndex(index).setNodePath(List.of(index + 1)).setSegments(List.of(segment)).setFinishReason(FinishReason.FINISHED)
                .setReward(reward).setWorked(worked).build();
    }

    private static ScoredTree tree(List<Leaf> leaves) {
        return ScoredTree.newBuilder().setTreeId("t").setPromptId("p").setTask("strategy-arithmetic").setPromptTokens(List.of(9))
                .setLeaves(new ArrayList<>(leaves)).setComplete(true).build();
    }

    @Test
    void theWorkedShareIsOfTheLeavesWhoseTaskTellsAndReachesTheMetricsRecord() {
        // three leaves tell (two worked), one does not: 2/3, whatever the rewards
        ScoredTree tree = tree(List.of(leaf(0, 1f, true), leaf(1, 0f, true), leaf(2, 1f, false), leaf(3, 0f, null)));
        TrainerMetrics.Step step = TrainerMetrics.step(List.of(tree), NOTHING_TRAINED, 1, 0, false);
        assertEquals(2.0 / 3, step.workedShare(), 1e-12);
        assertEquals(0.5, step.accuracy(), 1e-12);
        assertThat(TrainerMetrics.record(step, 0).getValues()).containsEntry("worked_share", 2.0 / 3);
    }

    @Test
    void theWorkedShareIsNaNWhenNoLeafTells() {
        TrainerMetrics.Step step = TrainerMetrics.step(List.of(tree(List.of(leaf(0, 1f, null)))), NOTHING_TRAINED, 1, 0, false);
        assertThat(step.workedShare()).isNaN();
    }
}
