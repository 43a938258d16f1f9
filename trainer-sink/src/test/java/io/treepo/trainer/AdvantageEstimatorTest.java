package io.treepo.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treepo.trainer.GroupLeaf.StateKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every estimator on hand-built trees, against figures worked out by hand.
 *
 * <pre>
 * prompt ─┬─ 1 ─┬─ 3   L1 R=1  segments of 2+1 tokens
 *         │     └─ 4   L2 R=0  1+1
 *         ├─ 2 ─┬─ 5   L3 R=1  1+2
 *         │     └─ 6   L4 R=1  2+2
 *         └─ 8         L5 R=0  3      (alone under the prompt: its depth-1 subgroup is skipped)
 * </pre>
 */
class AdvantageEstimatorTest {
    private static final double TOL = 1e-5;

    private static final LeafGroup TREE = new LeafGroup("tree", List.of(
            new GroupLeaf(new int[] {1, 3}, new int[] {2, 1}, 1),
            new GroupLeaf(new int[] {1, 4}, new int[] {1, 1}, 0),
            new GroupLeaf(new int[] {2, 5}, new int[] {1, 2}, 1),
            new GroupLeaf(new int[] {2, 6}, new int[] {2, 2}, 1),
            new GroupLeaf(new int[] {8}, new int[] {3}, 0)));

    private static void assertTokens(double[] perToken, float[] actual) {
        assertEquals(perToken.length, actual.length);
        for (int t = 0; t < perToken.length; t++) {
            assertEquals(perToken[t], actual[t], TOL, "token " + t);
        }
    }

    private static double[] repeat(double value, int times) {
        double[] out = new double[times];
        java.util.Arrays.fill(out, value);
        return out;
    }

    private static double[] concat(double[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    @Test
    void treeAverageSkipsSingletonSubgroups() {
        // mean 0.6 overall; under 1: 0.5, under 2: 1.0, under 8: one leaf (skipped); depth 2: all singletons.
        // L1 (0.4 + 0.5)/2, L2 (-0.6 - 0.5)/2, L3 and L4 (0.4 + 0)/2, L5 only depth 0: -0.6
        assertArrayEquals(new double[] {0.45, -0.55, 0.2, 0.2, -0.6},
                TreeAdvantage.leafValues(TREE, TreeAdvantage.Weighting.AVERAGE), TOL);
    }

    @Test
    void treeGroupSizeWeighsDepthsBySubgroupSize() {
        // weights 5 (whole group) and 2 (depth-1 subgroups): L1 (5*0.4 + 2*0.5)/7 = 3/7, L2 (-3 - 1)/7
        assertArrayEquals(new double[] {3 / 7.0, -4 / 7.0, 2 / 7.0, 2 / 7.0, -0.6},
                TreeAdvantage.leafValues(TREE, TreeAdvantage.Weighting.GROUP_SIZE), TOL);
    }

    @Test
    void treeAdvantageIsWhitenedOverAllValidTokens() {
        // 15 tokens: mean -0.01, variance 0.1714; (A + 0.01) / sqrt(0.1714 + 1e-8)
        Advantages a = AdvantageEstimator.tree(TreeAdvantage.Weighting.AVERAGE).estimate(List.of(TREE));
        List<Advantages.LeafAdvantage> leaves = a.groups().get(0).leaves();
        assertTokens(repeat(1.1110981, 3), leaves.get(0).tokens());
        assertTokens(repeat(-1.3043326, 2), leaves.get(1).tokens());
        assertTokens(repeat(0.5072404, 3), leaves.get(2).tokens());
        assertTokens(repeat(0.5072404, 4), leaves.get(3).tokens());
        assertTokens(repeat(-1.4251041, 3), leaves.get(4).tokens());
        assertTrue(leaves.stream().allMatch(Advantages.LeafAdvantage::kept));
    }

    @Test
    void segmentAdvantageIsTheValueChangeAlongThePath() {
        // V(1) = mean(0.45, -0.55) = -0.05, V(2) = 0.2, V(8) = -0.6, prompt 0.
        // L1: -0.05 (2 tokens), 0.5 (1); L2: -0.05, -0.5; L3: 0.2, 0 0; L4: 0.2 0.2, 0 0; L5: -0.6 x3
        // whitened over 15 tokens: mean -0.09, variance 0.105733
        Advantages a = AdvantageEstimator.segment(TreeAdvantage.Weighting.AVERAGE).estimate(List.of(TREE));
        List<Advantages.LeafAdvantage> leaves = a.groups().get(0).leaves();
        double minus005 = 0.1230138, plus05 = 1.8144543, minus05 = -1.2608920, plus02 = 0.8918504, zero = 0.2767812;
        assertTokens(concat(repeat(minus005, 2), repeat(plus05, 1)), leaves.get(0).tokens());
        assertTokens(new double[] {minus005, minus05}, leaves.get(1).tokens());
        assertTokens(concat(repeat(plus02, 1), repeat(zero, 2)), leaves.get(2).tokens());
        assertTokens(concat(repeat(plus02, 2), repeat(zero, 2)), leaves.get(3).tokens());
        assertTokens(repeat(-1.5684266, 3), leaves.get(4).tokens());
    }

    @Test
    void grpoStandardisesWithinEachGroupWithoutWhitening() {
        LeafGroup other = new LeafGroup("other", List.of(
                new GroupLeaf(new int[] {1}, new int[] {2}, 0.5), new GroupLeaf(new int[] {2}, new int[] {1}, 0.5)));
        Advantages a = AdvantageEstimator.grpo().estimate(List.of(TREE, other));
        // mean 0.6, sample std sqrt(0.3): 0.4 / (0.5477 + 1e-6), -0.6 / (0.5477 + 1e-6)
        List<Advantages.LeafAdvantage> leaves = a.groups().get(0).leaves();
        assertTokens(repeat(0.7302954, 3), leaves.get(0).tokens());
        assertTokens(repeat(-1.0954431, 2), leaves.get(1).tokens());
        assertTokens(repeat(0.7302954, 4), leaves.get(3).tokens());
        assertTokens(repeat(0, 2), a.groups().get(1).leaves().get(0).tokens());
        assertEquals(List.of("other"), a.zeroSignalGroups());
    }

    @Test
    void zeroSignalGroupsAreReportedByEveryEstimator() {
        LeafGroup allRight = new LeafGroup("allRight", List.of(
                new GroupLeaf(new int[] {1}, new int[] {1}, 1, new StateKey("t", 0)),
                new GroupLeaf(new int[] {2}, new int[] {1}, 1, new StateKey("t", 0))));
        for (AdvantageEstimator e : List.of(AdvantageEstimator.grpo(), AdvantageEstimator.fr3e(),
                AdvantageEstimator.tree(TreeAdvantage.Weighting.AVERAGE), AdvantageEstimator.segment(TreeAdvantage.Weighting.GROUP_SIZE))) {
            assertEquals(List.of("allRight"), e.estimate(List.of(allRight)).zeroSignalGroups(), e.getClass().getSimpleName());
        }
        assertFalse(allRight.hasSignal());
        assertTrue(TREE.hasSignal());
    }

    /**
     * One first-return trajectory "t" with states S_0..S_3, four rollouts each:
     * S_0 rewards 1 0 0 0 (V 0.25), S_1 1 1 0 0 (V 0.5), S_2 1 1 1 1 (no signal, V 0), S_3 1 1 1 0 (V 0.75).
     */
    private static List<GroupLeaf> fr3eRollouts() {
        double[][] rewards = {{1, 0, 0, 0}, {1, 1, 0, 0}, {1, 1, 1, 1}, {1, 1, 1, 0}};
        List<GroupLeaf> leaves = new ArrayList<>();
        for (int s = 0; s < rewards.length; s++) {
            for (int k = 0; k < 4; k++) {
                leaves.add(new GroupLeaf(new int[] {10 * s + k}, new int[] {2}, rewards[s][k], new StateKey("t", s)));
            }
        }
        return leaves;
    }

    /** The hand-computed A_k of rollout k of state s (see {@link #fr3eRollouts()}). */
    private static double fr3eExpected(GroupLeaf leaf) {
        int s = leaf.state().state();
        double r = leaf.reward();
        return switch (s) {
            // a = r - 0.25, dV_0 = 1 - 0.25: a * exp(-0.75)
            case 0 -> (r - 0.25) * Math.exp(-0.75);
            // a = r - 0.5, dV_1 = 0.5 - 0.25
            case 1 -> (r - 0.5) * Math.exp(-0.25);
            // dropped
            case 2 -> 0;
            // a = r - 0.75, dV_3 = 0.75 - V(S_2) = 0.75 - 0
            default -> (r - 0.75) * Math.exp(-0.75);
        };
    }

    @Test
    void fr3eScalesStateAdvantagesByTheValueChange() {
        List<GroupLeaf> rollouts = fr3eRollouts();
        Advantages a = AdvantageEstimator.fr3e().estimate(List.of(new LeafGroup("p", rollouts)));
        List<Advantages.LeafAdvantage> leaves = a.groups().get(0).leaves();
        assertEquals(0.3542749, leaves.get(0).tokens()[0], TOL);
        assertEquals(-0.3894004, leaves.get(6).tokens()[1], TOL);
        for (int i = 0; i < rollouts.size(); i++) {
            assertTokens(repeat(fr3eExpected(rollouts.get(i)), 2), leaves.get(i).tokens());
            assertEquals(rollouts.get(i).state().state() != 2, leaves.get(i).kept(), "only S_2 is dropped");
        }
    }

    @Test
    void fr3eGroupsByKeyNotByRowOrder() {
        List<GroupLeaf> shuffled = new ArrayList<>(fr3eRollouts());
        Collections.shuffle(shuffled, new Random(3));
        Advantages a = AdvantageEstimator.fr3e().estimate(List.of(new LeafGroup("p", shuffled)));
        for (int i = 0; i < shuffled.size(); i++) {
            assertTokens(repeat(fr3eExpected(shuffled.get(i)), 2), a.groups().get(0).leaves().get(i).tokens());
        }
    }

    @Test
    void fr3eDropsAStateWhosePredecessorHasNoRollouts() {
        // S_1's rollouts were lost (a window timeout, say): S_2 has no dV, S_0 is trained as usual.
        List<GroupLeaf> leaves = List.of(
                new GroupLeaf(new int[] {1}, new int[] {1}, 1, new StateKey("t", 0)),
                new GroupLeaf(new int[] {2}, new int[] {1}, 0, new StateKey("t", 0)),
                new GroupLeaf(new int[] {3}, new int[] {1}, 1, new StateKey("t", 2)),
                new GroupLeaf(new int[] {4}, new int[] {1}, 0, new StateKey("t", 2)));
        List<Advantages.LeafAdvantage> a = AdvantageEstimator.fr3e().estimate(List.of(new LeafGroup("p", leaves))).groups().get(0).leaves();
        assertEquals(List.of(true, true, false, false), a.stream().map(Advantages.LeafAdvantage::kept).toList());
        // a = 0.5, dV_0 = 1 - 0.5
        assertTokens(repeat(0.5 * Math.exp(-0.5), 1), a.get(0).tokens());
        assertTokens(repeat(0, 1), a.get(2).tokens());
    }

    @Test
    void fr3eNeedsStateKeys() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdvantageEstimator.fr3e().estimate(List.of(TREE)));
        assertEquals("group tree, leaf 0: FR3E needs a state key", e.getMessage());
    }
}
