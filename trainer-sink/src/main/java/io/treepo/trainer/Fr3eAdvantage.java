package io.treepo.trainer;

import io.treepo.trainer.GroupLeaf.StateKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * FR3E's advantage (TREEPO.md section 3). Rollouts are grouped by their explicit
 * (trajectory, state) key, never by row order, so shuffled input gives the same answer. Per state:
 * {@code a_k = r_k - mean(r)}, {@code V(S_j)} = share of its rollouts with {@code a_k > 0};
 * {@code dV_0 = 1 - V(S_0)}, {@code dV_j = V(S_j) - V(S_{j-1})}; {@code A_k = a_k * exp(-dV_j)}.
 * States whose rollouts all agree carry no signal: their leaves are dropped (not kept, advantage 0).
 * So are those of a state whose predecessor has no rollouts in the group, as no {@code dV_j} exists
 * for it: the loop trains a tree on what arrived when its window times out, and drops stale leaves.
 */
final class Fr3eAdvantage implements AdvantageEstimator {

    @Override
    public Advantages estimate(List<LeafGroup> groups) {
        List<Advantages.GroupAdvantages> out = new ArrayList<>();
        for (LeafGroup group : groups) {
            Map<StateKey, List<GroupLeaf>> states = byState(group);
            Map<StateKey, Double> value = new HashMap<>();
            Map<StateKey, Double> mean = new HashMap<>();
            states.forEach((key, rollouts) -> {
                double m = rollouts.stream().mapToDouble(GroupLeaf::reward).average().orElseThrow();
                mean.put(key, m);
                value.put(key, rollouts.stream().filter(r -> r.reward() - m > 0).count() / (double) rollouts.size());
            });
            List<Advantages.LeafAdvantage> leaves = new ArrayList<>();
            for (GroupLeaf leaf : group.leaves()) {
                StateKey key = leaf.state();
                Double change = valueChange(key, value);
                boolean kept = change != null && new LeafGroup(group.groupId(), states.get(key)).hasSignal();
                double a = leaf.reward() - mean.get(key);
                double advantage = kept ? a * Math.exp(-change) : 0;
                leaves.add(new Advantages.LeafAdvantage(TokenBroadcast.leafWide(leaf, advantage), kept));
            }
            out.add(new Advantages.GroupAdvantages(group.groupId(), !group.hasSignal(), leaves));
        }
        return new Advantages(out);
    }

    private static Map<StateKey, List<GroupLeaf>> byState(LeafGroup group) {
        Map<StateKey, List<GroupLeaf>> states = new HashMap<>();
        for (int i = 0; i < group.leaves().size(); i++) {
            GroupLeaf leaf = group.leaves().get(i);
            if (leaf.state() == null) {
                throw new IllegalArgumentException("group " + group.groupId() + ", leaf " + i + ": FR3E needs a state key");
            }
            states.computeIfAbsent(leaf.state(), k -> new ArrayList<>()).add(leaf);
        }
        return states;
    }

    /** {@code dV_j}: how much reaching state j changed the share of successes; null when {@code S_{j-1}} has no rollouts. */
    private static Double valueChange(StateKey key, Map<StateKey, Double> value) {
        if (key.state() == 0) {
            return 1 - value.get(key);
        }
        Double before = value.get(new StateKey(key.trajectory(), key.state() - 1));
        return before == null ? null : value.get(key) - before;
    }
}
