package io.treepo.rollout.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DivergencePolicyTest {
    private static final List<PathStats> PATHS = List.of(
            new PathStats(-0.1, 3.0), // confident, uncertain now
            new PathStats(-2.0, 0.5),
            new PathStats(-1.0, 1.0));

    @Test
    void budgetFormulaFollowsTheSpec() {
        // W=16, nothing finished, 2 active, branch 2: min(16, 4) = 4
        assertEquals(4, TreeExpansion.budget(16, 0, 0, 2, 2));
        // 3 finished this round hand their share on: min(16 - 3, (3 + 1) * 2) = 8
        assertEquals(8, TreeExpansion.budget(16, 3, 3, 1, 2));
        // near the width: min(16 - 14, ...) = 2
        assertEquals(2, TreeExpansion.budget(16, 14, 1, 2, 2));
        // never fewer than the active paths
        assertEquals(3, TreeExpansion.budget(16, 13, 0, 3, 1));
    }

    @Test
    void fixedSplitsEvenlyWithRemainderToTheLast() {
        assertArrayEquals(new int[] {2, 2, 3}, DivergencePolicy.fixed().split(7, PATHS));
        assertArrayEquals(new int[] {1, 1, 1}, DivergencePolicy.fixed().split(3, PATHS));
    }

    @Test
    void everySplitSumsToTheBudgetWithAtLeastOneEach() {
        for (DivergencePolicy policy : List.of(DivergencePolicy.fixed(),
                DivergencePolicy.logProb(SoftmaxDivergence.Sign.CONFIDENT, 0.1),
                DivergencePolicy.logProb(SoftmaxDivergence.Sign.UNCERTAIN, 5.0),
                DivergencePolicy.entropy(0.5))) {
            for (int budget = 3; budget <= 20; budget++) {
                int[] counts = policy.split(budget, PATHS);
                assertEquals(budget, Arrays.stream(counts).sum(), policy + " budget " + budget);
                assertTrue(Arrays.stream(counts).allMatch(c -> c >= 1), policy + " budget " + budget);
            }
        }
    }

    @Test
    void logProbSignChoosesConfidentOrUncertainPaths() {
        // budget 9: 6 extra shared by softmax((L - min) / 1) = softmax(1.9, 0, 1) = (.66, .10, .24)
        assertArrayEquals(new int[] {5, 2, 2}, DivergencePolicy.logProb(SoftmaxDivergence.Sign.CONFIDENT, 1.0).split(9, PATHS));
        // the minus sign: softmax(-1.9, 0, -1) = (.10, .66, .24)
        assertArrayEquals(new int[] {2, 5, 2}, DivergencePolicy.logProb(SoftmaxDivergence.Sign.UNCERTAIN, 1.0).split(9, PATHS));
    }

    @Test
    void entropySendsBranchesWherePolicyIsUncertain() {
        int[] counts = DivergencePolicy.entropy(1.0).split(9, PATHS);
        assertTrue(counts[0] > counts[2] && counts[2] >= counts[1], Arrays.toString(counts));
    }

    @Test
    void largestRemainderBreaksTiesTowardsTheEarlierPath() {
        assertArrayEquals(new int[] {2, 1, 1}, LargestRemainder.split(4, new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}));
        assertArrayEquals(new int[] {1, 2}, LargestRemainder.split(3, new double[] {0.2, 0.8}));
    }

    @Test
    void budgetBelowThePathCountIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> DivergencePolicy.fixed().split(2, PATHS));
    }
}
