package io.treepo.rollout.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FallbackPointTest {
    private static SegmentNode segment(int id, float[] logProbs, float[] entropies) {
        return new SegmentNode(id, id - 1, id, logProbs.length, false, 0, new int[logProbs.length], logProbs, entropies, 0);
    }

    private static final List<SegmentNode> PATH = List.of(
            segment(1, new float[] {-0.1f, -0.2f, -0.3f}, new float[] {0.1f, 0.2f, 0.3f}),
            segment(2, new float[] {-0.5f, -4.0f, -0.1f}, new float[] {0.1f, 0.2f, 0.1f}),
            segment(3, new float[] {-0.2f, -0.1f}, new float[] {2.5f, 0.1f}));

    @Test
    void lowestLogProbCutsJustBeforeThatToken() {
        assertEquals(new FallbackPoint.Cut(1, 1), FallbackPoint.LOWEST_LOG_PROB.choose(PATH, new SplittableRandom(1)));
    }

    @Test
    void highestEntropyCutsJustBeforeThatToken() {
        assertEquals(new FallbackPoint.Cut(2, 0), FallbackPoint.HIGHEST_ENTROPY.choose(PATH, new SplittableRandom(1)));
    }

    @Test
    void randomBoundaryCoversThePromptAndInnerBoundariesButNotTheEnd() {
        Set<FallbackPoint.Cut> seen = new HashSet<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 200; i++) {
            seen.add(FallbackPoint.RANDOM_BOUNDARY.choose(PATH, random));
        }
        assertEquals(Set.of(new FallbackPoint.Cut(0, 0), new FallbackPoint.Cut(1, 0), new FallbackPoint.Cut(2, 0)), seen);
        assertTrue(seen.stream().allMatch(c -> c.tokens() == 0));
    }
}
