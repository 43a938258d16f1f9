package io.treepo.trainer;

import java.util.Arrays;

/**
 * What an advantage estimator needs of one leaf: a plain view, independent of Avro.
 *
 * @param nodePath ids of the leaf's segments within its tree, first to last; leaves sharing a
 *     prefix of it share those segments
 * @param segmentLengths tokens of each segment, same order (their sum is the response length)
 * @param reward outcome reward
 * @param state FR3E only: which (trajectory, state) the rollout was sampled from; null otherwise
 */
public record GroupLeaf(int[] nodePath, int[] segmentLengths, double reward, StateKey state) {

    public GroupLeaf {
        if (nodePath.length != segmentLengths.length) {
            throw new IllegalArgumentException("nodePath has " + nodePath.length + " segments, segmentLengths " + segmentLengths.length);
        }
        if (Double.isNaN(reward)) {
            throw new IllegalArgumentException("reward is NaN");
        }
    }

    /** A leaf outside any FR3E state. */
    public GroupLeaf(int[] nodePath, int[] segmentLengths, double reward) {
        this(nodePath, segmentLengths, reward, null);
    }

    public int responseLength() {
        return Arrays.stream(segmentLengths).sum();
    }

    /** FR3E: a state {@code S_j} of a first-return trajectory (j = 0 is the prompt itself). */
    public record StateKey(String trajectory, int state) {
        public StateKey {
            if (state < 0) throw new IllegalArgumentException("state index must be >= 0, got " + state);
        }
    }
}
