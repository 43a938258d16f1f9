package io.treepo.rollout.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treepo.policy.ByteTokenizer;
import io.treepo.tasks.Task;
import io.treepo.tasks.Tasks;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SamplerComparisonTest {
    private static final Task TASK = Tasks.byName("arithmetic");
    /** Stub decoders: letters only, so no leaf ever answers. */
    private final SamplerComparison comparison = new SamplerComparison(
            () -> new StubDecoder((prefix, max, random) -> StubDecoder.Row.of(StubDecoder.letters(max, random), -1f, 1f)),
            new ByteTokenizer(), TASK);

    private static List<Task.Problem> problems(int n) {
        return IntStream.range(0, n).mapToObj(i -> TASK.generate(i, Task.Split.TRAIN)).toList();
    }

    @Test
    void bothSamplersGiveTheSameLeavesAndTheTreeProcessesFewerTokens() {
        List<Task.Problem> problems = problems(3);
        TreeConfig config = TreeConfig.builder().width(16).segmentTokens(8).maxDepth(4).maxResponseTokens(32).build();

        SamplerComparison.Result result = comparison.compare(config, problems, 5, 2, 0);

        assertEquals(SamplerKind.TREE, result.tree().kind());
        assertEquals(48, result.tree().stats().leaves());
        assertEquals(48, result.independent().stats().leaves());
        // Every path reaches depth 4: (2 + 4 + 8 + 16) segments of 8 against 16 x 4.
        assertEquals(3 * 30 * 8, result.tree().stats().decodedTokens());
        assertEquals(3 * 64 * 8, result.independent().stats().decodedTokens());
        assertEquals(30 / 64.0, result.decodedTokenRatio(), 1e-9);
        assertTrue(result.tokenRatio() < 1);
        assertEquals(0, result.tree().meanReward());
        assertEquals(0, result.tree().meanBestReward());
    }

    @Test
    void eachInterleavedPairOfRunsGivesARatioAndTheirMedianIsReported() {
        TreeConfig config = TreeConfig.builder().width(4).segmentTokens(8).maxDepth(2).maxResponseTokens(16).build();
        SamplerComparison.Result result = comparison.compare(config, problems(2), 1, 3, 0);

        assertEquals(3, result.pairTimePerLeafRatios().size());
        List<Double> sorted = result.pairTimePerLeafRatios().stream().sorted().toList();
        assertTrue(sorted.get(0) > 0, sorted.toString());
        assertEquals(sorted.get(1), result.medianPairTimePerLeafRatio());
        assertEquals(1.5, new SamplerComparison.Result(result.tree(), result.independent(), List.of(2.0, 1.0, 3.0, 1.0))
                .medianPairTimePerLeafRatio(), 1e-12);
    }

    @Test
    void theMeanRewardIsOverLeavesAndTheBestOverPrompts() {
        SamplerComparison.Rewards rewards = new SamplerComparison.Rewards();
        rewards.add("p", 0);
        rewards.add("p", 1);
        rewards.add("q", 0);
        rewards.add("q", 0);

        assertEquals(0.25, rewards.mean(), 1e-12);
        assertEquals(0.5, rewards.meanBest(), 1e-12);
    }

    @Test
    void withALimitInFlightTreesStartAsOthersCompleteAndTheLeavesAreTheSame() {
        List<Task.Problem> problems = problems(5);
        TreeConfig config = TreeConfig.builder().width(4).segmentTokens(8).maxDepth(3).maxResponseTokens(24).build();

        SamplerComparison.Result all = comparison.compare(config, problems, 5, 1, 0);
        SamplerComparison.Result two = comparison.compare(config, problems, 5, 1, 2);

        assertEquals(all.tree().stats().leaves(), two.tree().stats().leaves());
        assertEquals(all.tree().stats().decodedTokens(), two.tree().stats().decodedTokens());
        assertEquals(all.independent().stats().decodedTokens(), two.independent().stats().decodedTokens());
        // five trees of three segments each, all at once, or at most two at a time (three waves)
        assertEquals(3, all.tree().stats().rounds());
        assertTrue(two.tree().stats().rounds() >= 3 * 3, "rounds " + two.tree().stats().rounds());
    }
}
