package io.treepo.trainer;

import java.util.List;

/**
 * Per-token advantages of a batch, group by group and leaf by leaf in input order.
 *
 * @param groups one entry per input group
 */
public record Advantages(List<GroupAdvantages> groups) {

    public Advantages {
        groups = List.copyOf(groups);
    }

    /** Groups whose rewards all agree (reported so callers can count and filter them). */
    public List<String> zeroSignalGroups() {
        return groups.stream().filter(GroupAdvantages::zeroSignal).map(GroupAdvantages::groupId).toList();
    }

    /**
     * @param zeroSignal every reward in the group agrees
     * @param leaves one per input leaf
     */
    public record GroupAdvantages(String groupId, boolean zeroSignal, List<LeafAdvantage> leaves) {
        public GroupAdvantages {
            leaves = List.copyOf(leaves);
        }
    }

    /**
     * @param tokens the advantage of each response token
     * @param kept false when the estimator drops the leaf (FR3E states without signal): train on
     *     kept leaves only
     */
    public record LeafAdvantage(float[] tokens, boolean kept) {}
}
