package io.treepo.trainer;

import java.util.List;

/** The leaves of one prompt (for tree estimators: of one tree), the unit baselines are computed over. */
public record LeafGroup(String groupId, List<GroupLeaf> leaves) {

    public LeafGroup {
        leaves = List.copyOf(leaves);
        if (leaves.isEmpty()) {
            throw new IllegalArgumentException("group " + groupId + " has no leaves");
        }
    }

    /** False when every reward agrees: then every advantage is zero and the group teaches nothing. */
    public boolean hasSignal() {
        double first = leaves.get(0).reward();
        return leaves.stream().anyMatch(l -> l.reward() != first);
    }

    public double meanReward() {
        return leaves.stream().mapToDouble(GroupLeaf::reward).average().orElseThrow();
    }
}
