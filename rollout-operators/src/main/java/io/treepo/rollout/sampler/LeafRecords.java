package io.treepo.rollout.sampler;

import io.treepo.schemas.Leaf;
import io.treepo.schemas.Segment;
import java.util.ArrayList;
import java.util.List;

/** Sampler leaves as the Avro records that travel between operators and topics. */
public final class LeafRecords {
    private LeafRecords() {}

    /** An unscored {@link Leaf}; {@code task} and {@code reference} ride along for the reward step. */
    public static Leaf toAvro(SampledLeaf leaf, String task, String reference) {
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
                .setTask(task)
                .setReference(reference)
                .setPromptTokens(ints(leaf.promptTokens()))
                .setLeafIndex(leaf.leafIndex())
                .setLeavesInTree(leaf.leavesInTree())
                .setNodePath(ints(leaf.nodePath()))
                .setSegments(segments)
                .setFinishReason(leaf.finishReason())
                .setSampler(leaf.sampler().label())
                .build();
    }

    private static List<Integer> ints(int[] values) {
        List<Integer> out = new ArrayList<>(values.length);
        for (int v : values) {
            out.add(v);
        }
        return out;
    }

    private static List<Float> floats(float[] values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float v : values) {
            out.add(v);
        }
        return out;
    }
}
