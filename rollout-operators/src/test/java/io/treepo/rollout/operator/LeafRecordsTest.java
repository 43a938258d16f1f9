package io.treepo.rollout.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.treepo.rollout.sampler.SampledLeaf;
import io.treepo.rollout.sampler.SamplerKind;
import io.treepo.rollout.sampler.SegmentNode;
import io.treepo.schemas.FinishReason;
import io.treepo.schemas.Leaf;
import io.treepo.schemas.Prompt;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeafRecordsTest {
    @Test
    void carriesEverySegmentFigureAndThePath() {
        SegmentNode first = new SegmentNode(1, 0, 1, 2, false, 2, new int[] {3, 4}, new float[] {-0.5f, -1f},
                new float[] {0.1f, 0.2f}, 7);
        SegmentNode second = new SegmentNode(4, 1, 2, 1, false, 3, new int[] {0}, new float[] {-0.25f}, new float[] {0.3f}, 8);
        SampledLeaf leaf = new SampledLeaf("tree", "prompt", 2, 5, new int[] {9, 9}, new int[] {1, 4},
                List.of(first, second), FinishReason.EOS, SamplerKind.TREE, -1);
        Leaf avro = LeafRecords.toRecord(leaf, Prompt.newBuilder().setId("prompt").setTask("arithmetic").setText("Q: 6*7=?").setReference("42").build());
        assertEquals("tree", avro.getTreeId());
        assertEquals("42", avro.getReference());
        assertEquals("arithmetic", avro.getTask());
        assertEquals(List.of(1, 4), avro.getNodePath());
        assertEquals(5, avro.getLeavesInTree());
        assertEquals("tree", avro.getSampler());
        assertEquals(FinishReason.EOS, avro.getFinishReason());
        assertEquals(List.of(-0.5f, -1f), avro.getSegments().get(0).getLogProbs());
        assertEquals(8L, avro.getSegments().get(1).getPolicyVersion());
        assertEquals(List.of(0), avro.getSegments().get(1).getTokens());
        assertEquals(null, avro.getReward());
        assertEquals(-1, avro.getFr3eState());
    }

    @Test
    void carriesTheFr3eState() {
        SegmentNode only = new SegmentNode(3, 2, 1, 1, false, 3, new int[] {0}, new float[] {-0.1f}, new float[] {0.4f}, 1);
        SampledLeaf leaf = new SampledLeaf("tree", "prompt", 4, -1, new int[] {9}, new int[] {3}, List.of(only), FinishReason.EOS,
                SamplerKind.FR3E, 2);
        Leaf avro = LeafRecords.toRecord(leaf, Prompt.newBuilder().setId("prompt").setTask("echo").setText("Say 5").setReference("5").build());
        assertEquals("fr3e", avro.getSampler());
        assertEquals(2, avro.getFr3eState());
    }
}
