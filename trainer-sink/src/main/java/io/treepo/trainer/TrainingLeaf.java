package io.treepo.trainer;

import io.treepo.policy.TrainSequence;
import io.treepo.schemas.Leaf;
import io.treepo.schemas.Segment;
import io.treepo.trainer.GroupLeaf.StateKey;
import java.util.List;

/**
 * A scored leaf as the trainer uses it: the sequence to score, the behaviour log-probs recorded at
 * sampling, and the plain view advantage estimators read. Built from the Avro {@link Leaf}.
 */
public record TrainingLeaf(TrainSequence sequence, float[] behaviourLogProbs, long oldestPolicyVersion, GroupLeaf view) {

    /** @throws IllegalArgumentException when the leaf is not scored yet */
    public static TrainingLeaf of(Leaf leaf) {
        if (leaf.getReward() == null) {
            throw new IllegalArgumentException("leaf " + leaf.getLeafIndex() + " of tree " + leaf.getTreeId() + " has no reward");
        }
        List<Segment> segments = leaf.getSegments();
        int[] lengths = segments.stream().mapToInt(s -> s.getTokens().size()).toArray();
        int total = java.util.Arrays.stream(lengths).sum();
        int[] response = new int[total];
        float[] logProbs = new float[total];
        int at = 0;
        long oldest = Long.MAX_VALUE;
        for (Segment s : segments) {
            for (int i = 0; i < s.getTokens().size(); i++, at++) {
                response[at] = s.getTokens().get(i);
                logProbs[at] = s.getLogProbs().get(i);
            }
            oldest = Math.min(oldest, s.getPolicyVersion());
        }
        int[] prompt = leaf.getPromptTokens().stream().mapToInt(Integer::intValue).toArray();
        int[] path = leaf.getNodePath().stream().mapToInt(Integer::intValue).toArray();
        // A tree has one first-return trajectory, so the tree id names it.
        StateKey state = leaf.getFr3eState() >= 0 ? new StateKey(leaf.getTreeId(), leaf.getFr3eState()) : null;
        return new TrainingLeaf(new TrainSequence(prompt, response), logProbs, oldest, new GroupLeaf(path, lengths, leaf.getReward(), state));
    }
}
