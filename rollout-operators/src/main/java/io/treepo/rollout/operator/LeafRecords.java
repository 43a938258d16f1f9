package io.treepo.rollout.operator;

import io.treepo.rollout.sampler.SampledLeaf;
import io.treepo.rollout.sampler.SegmentNode;
import io.treepo.schemas.Leaf;
import io.treepo.schemas.Prompt;
import io.treepo.schemas.Segment;
import java.util.ArrayList;
import java.util.List;

/** Sampler leaves to and from the Avro {@link Leaf} that travels between operators and on Kafka. */
public final class LeafRecords {
    private LeafRecords() {}

    public static Leaf toRecord(SampledLeaf leaf, Prompt prompt) {
        List<Segment> segments = new ArrayList<>(leaf.segments().size());
        for (SegmentNode node : leaf.segments()) {
            segments.add(Segment.newBuilder()
                    .setNodeId(node.id())
                    .setTokens(ints(node.tokens()))
                    .setLogProbs(floats(node.logProbs()))
                    .setEntropies(floats(node.entropies()))
                    .setPolicyVersion(node.policyVersion())
                    .build());
        }
        return Leaf.newBuilder()
                .setTreeId(leaf.treeId())
                .setPromptId(leaf.promptId())
                .setTask(prompt.getTask())
                .setReference(prompt.getReference())
                .setPromptTokens(ints(leaf.promptTokens()))
                .setLeafIndex(leaf.leafIndex())
                .setLeavesInTree(leaf.leavesInTree())
                .setNodePath(ints(leaf.nodePath()))
                .setSegments(segments)
                .setFinishReason(leaf.finishReason())
                .setSampler(leaf.sampler().label())
                .setFr3eState(leaf.fr3eState())
                .build();
    }

    static List<Integer> ints(int[] values) {
        List<Integer> out = new ArrayList<>(values.length);
        for (int v : values) out.add(v);
        return out;
    }

    static List<Float> floats(float[] values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float v : values) out.add(v);
        return out;
    }
}
