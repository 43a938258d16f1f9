package io.treepo.rollout.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treepo.policy.PrefixNode;
import io.treepo.policy.SegmentDecoder.DecodeRequest;
import io.treepo.schemas.FinishReason;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RolloutSamplerTest {
    private static final int[] PROMPT = {5, 6, 7, 8};

    private static final TreeConfig SMALL = TreeConfig.builder()
            .segmentTokens(4).maxDepth(4).maxResponseTokens(64).width(8).branch(2).firstDivergence(2).build();

    /** Never stops by itself: every path runs to the depth limit. */
    private static final StubDecoder.Script ENDLESS =
            (prefix, max, random) -> StubDecoder.Row.of(StubDecoder.letters(max, random), -1f, 1f);

    private static RolloutSampler sampler(TreeConfig config, StubDecoder decoder) {
        return new RolloutSampler(config, decoder, StubDecoder.TEXT, 42);
    }

    private static void startTrees(RolloutSampler sampler, int count) {
        for (int i = 0; i < count; i++) {
            sampler.start(new RolloutSampler.TreeRequest("t" + i, "p" + i, PROMPT, AnswerCheck.NONE, 100 + i));
        }
    }

    private static List<SampledLeaf> run(TreeConfig config, StubDecoder decoder, int trees) {
        RolloutSampler sampler = sampler(config, decoder);
        startTrees(sampler, trees);
        return sampler.runToCompletion();
    }

    private static Map<String, List<SampledLeaf>> byTree(List<SampledLeaf> leaves) {
        return leaves.stream().collect(Collectors.groupingBy(SampledLeaf::treeId));
    }

    @Test
    void everyTreeGetsExactlyWidthLeavesWithinDepth() {
        StubDecoder decoder = new StubDecoder(ENDLESS);
        RolloutSampler sampler = sampler(SMALL, decoder);
        startTrees(sampler, 3);
        List<SampledLeaf> leaves = sampler.runToCompletion();
        assertEquals(24, leaves.size());
        byTree(leaves).values().forEach(tree -> assertEquals(8, tree.size()));
        assertTrue(leaves.stream().allMatch(l -> l.finishReason() == FinishReason.MAX_DEPTH && l.segments().size() == 4));
        // 2 paths, then 4, then 8: the width is reached at depth 3 and every path goes on alone.
        assertEquals(List.of(6, 12, 24, 24), decoder.calls.stream().map(List::size).toList());
    }

    @Test
    void oneDecodeCallPerRoundCoversEveryTreeAndFinishedPathsCostNothing() {
        // A third of the segments end in EOS.
        StubDecoder decoder = new StubDecoder((prefix, max, random) -> {
            int[] t = StubDecoder.letters(max, random);
            if (random.nextInt(3) == 0) {
                t[t.length - 1] = StubDecoder.EOS;
            }
            return StubDecoder.Row.of(t, -1f, 1f);
        });
        RolloutSampler sampler = sampler(SMALL, decoder);
        startTrees(sampler, 4);
        int rounds = 0;
        Set<PrefixNode> finished = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        while (sampler.activeTrees() > 0) {
            RoundResult round = sampler.round();
            rounds++;
            assertEquals(rounds, decoder.calls.size());
            for (DecodeRequest r : decoder.calls.get(rounds - 1)) {
                assertTrue(!finished.contains(r.prefix()), "a finished path was extended");
            }
            assertEquals(round.leaves().size(), round.stats().leaves());
        }
        assertEquals(4 * 8, sampler.totals().leaves());
        assertEquals(4 * PROMPT.length, sampler.totals().promptTokens());
        assertEquals(0, decoder.cachedNodes(), "every cache entry is released when its tree completes");
    }

    @Test
    void lengthLimitCapsTheLastSegment() {
        TreeConfig config = SMALL.toBuilder().segmentTokens(5).maxResponseTokens(12).maxDepth(10).build();
        StubDecoder decoder = new StubDecoder(ENDLESS);
        List<SampledLeaf> leaves = run(config, decoder, 1);
        assertTrue(leaves.stream().allMatch(l -> l.finishReason() == FinishReason.MAX_LENGTH && l.responseLength() == 12));
        assertTrue(decoder.calls.get(2).stream().allMatch(r -> r.maxTokens() == 2));
    }

    @Test
    void repetitiveSegmentsStopWithRepetition() {
        TreeConfig config = SMALL.toBuilder().segmentTokens(48).build();
        StubDecoder decoder = new StubDecoder((prefix, max, random) -> {
            int[] t = new int[max];
            Arrays.fill(t, 1);
            return StubDecoder.Row.of(t, -0.1f, 0.1f);
        });
        List<SampledLeaf> leaves = run(config, decoder, 1);
        assertEquals(8, leaves.size());
        assertTrue(leaves.stream().allMatch(l -> l.finishReason() == FinishReason.REPETITION));
    }

    @Test
    void fallbackTopsUpATreeWhosePathsAllStopEarly() {
        // Every segment ends in EOS: without fallback a tree would stop at its 2 first paths.
        StubDecoder decoder = new StubDecoder((prefix, max, random) -> {
            int[] t = StubDecoder.letters(max, random);
            t[max - 1] = StubDecoder.EOS;
            return StubDecoder.Row.of(t, -1f, 1f);
        });
        List<SampledLeaf> leaves = run(SMALL, decoder, 2);
        byTree(leaves).values().forEach(tree -> {
            assertEquals(8, tree.size());
            assertEquals(8, tree.get(7).leavesInTree());
            assertTrue(tree.subList(0, 7).stream().allMatch(l -> l.leavesInTree() == -1));
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), tree.stream().map(SampledLeaf::leafIndex).toList());
        });
        assertTrue(leaves.stream().allMatch(l -> l.finishReason() == FinishReason.EOS));
    }

    @Test
    void lowestLogProbFallbackCutsBeforeTheWorstTokenAndKeepsItsRecordedFigures() {
        TreeConfig config = SMALL.toBuilder().width(4).firstDivergence(1).branch(1)
                .fallbackPoint(FallbackPoint.LOWEST_LOG_PROB).build();
        // First segment: 4 tokens, the third the least likely, then EOS; later segments end at once.
        StubDecoder decoder = new StubDecoder((prefix, max, random) -> prefix.parent() == null
                ? new StubDecoder.Row(new int[] {1, 2, 3, StubDecoder.EOS},
                        new float[] {-0.5f, -0.2f, -3f, -0.1f}, new float[] {1f, 2f, 3f, 4f})
                : StubDecoder.Row.of(new int[] {9, StubDecoder.EOS}, -0.3f, 0.5f));
        List<SampledLeaf> leaves = run(config, decoder, 1);
        assertEquals(4, leaves.size());
        SampledLeaf continued = leaves.get(1);
        SegmentNode cut = continued.segments().get(0);
        assertTrue(cut.cut());
        assertArrayEquals(new int[] {1, 2}, cut.tokens());
        assertArrayEquals(new float[] {-0.5f, -0.2f}, cut.logProbs());
        assertArrayEquals(new float[] {1f, 2f}, cut.entropies());
        assertEquals(0, cut.parentId(), "the cut hangs off the cut segment's parent");
        assertEquals(1, cut.depth(), "a cut and its continuation share one level");
        assertArrayEquals(new int[] {1, 2, 9, StubDecoder.EOS}, continued.responseTokens());
        // The continuation only completes the cut level: 4 - 2 tokens.
        assertEquals(2, decoder.calls.get(1).get(0).maxTokens());
    }

    @Test
    void firstDivergenceDrawnFromARangeVaries() {
        TreeConfig config = SMALL.toBuilder().width(16).firstDivergence(2, 8).build();
        StubDecoder decoder = new StubDecoder(ENDLESS);
        RolloutSampler sampler = sampler(config, decoder);
        startTrees(sampler, 40);
        sampler.round();
        Map<PrefixNode, Long> perRoot = decoder.calls.get(0).stream()
                .collect(Collectors.groupingBy(DecodeRequest::prefix, Collectors.counting()));
        Set<Long> sizes = new HashSet<>(perRoot.values());
        assertTrue(sizes.size() >= 5, "first divergence took only " + sizes);
        assertTrue(sizes.stream().allMatch(n -> n >= 2 && n <= 8), sizes.toString());
    }

    @Test
    void logProbDivergenceSendsMoreBranchesToConfidentPaths() {
        TreeConfig config = SMALL.toBuilder().width(16).branch(4)
                .divergence(DivergencePolicy.logProb(SoftmaxDivergence.Sign.CONFIDENT, 0.5)).build();
        // The first root child is confident (log-prob -0.1), the second uncertain (-2).
        int[] calls = {0};
        StubDecoder decoder = new StubDecoder((prefix, max, random) ->
                StubDecoder.Row.of(StubDecoder.letters(max, random), prefix.parent() == null && calls[0]++ == 0 ? -0.1f : -2f, 1f));
        RolloutSampler sampler = sampler(config, decoder);
        startTrees(sampler, 1);
        sampler.round();
        sampler.round();
        List<Long> perParent = decoder.calls.get(1).stream()
                .collect(Collectors.groupingBy(r -> r.prefix(), java.util.LinkedHashMap::new, Collectors.counting()))
                .values().stream().toList();
        // budget min(16, 2 * 4) = 8: 1 + 1 base, 6 shared by softmax(1.9 / 0.5, 0) ~ (0.98, 0.02)
        assertEquals(List.of(7L, 1L), perParent);
    }

    @Test
    void entropyDivergenceSendsMoreBranchesWhereThePolicyIsUncertain() {
        TreeConfig config = SMALL.toBuilder().width(16).branch(4).divergence(DivergencePolicy.entropy(0.5)).build();
        int[] calls = {0};
        StubDecoder decoder = new StubDecoder((prefix, max, random) ->
                StubDecoder.Row.of(StubDecoder.letters(max, random), -1f, prefix.parent() == null && calls[0]++ == 0 ? 0.2f : 2.5f));
        RolloutSampler sampler = sampler(config, decoder);
        startTrees(sampler, 1);
        sampler.round();
        sampler.round();
        List<Long> perParent = decoder.calls.get(1).stream()
                .collect(Collectors.groupingBy(r -> r.prefix(), java.util.LinkedHashMap::new, Collectors.counting()))
                .values().stream().toList();
        assertEquals(List.of(1L, 7L), perParent);
    }

    @Test
    void leavesCarryNodePathsLogProbsAndVersions() {
        StubDecoder decoder = new StubDecoder(ENDLESS);
        RolloutSampler sampler = sampler(SMALL, decoder);
        startTrees(sampler, 1);
        sampler.round();
        decoder.policyVersion = 4;
        List<SampledLeaf> leaves = sampler.runToCompletion();
        for (SampledLeaf leaf : leaves) {
            assertEquals(leaf.segments().size(), leaf.nodePath().length);
            assertEquals(3, leaf.oldestPolicyVersion());
            assertEquals(4, leaf.segments().get(3).policyVersion());
            assertEquals(16, leaf.logProbs().length);
            assertArrayEquals(PROMPT, leaf.promptTokens());
        }
        // 8 leaves, 2 first segments: each first segment is shared by exactly 4 leaves.
        Map<Integer, Long> firsts = leaves.stream().collect(Collectors.groupingBy(l -> l.nodePath()[0], Collectors.counting()));
        assertEquals(Set.of(4L), new HashSet<>(firsts.values()));
    }

    @Test
    void cachesAreReleasedAsSoonAsNothingCanExtendThem() {
        // The first root child is "aaaa"; both its children end in EOS, the rest never stops.
        int[] rootCalls = {0};
        StubDecoder decoder = new StubDecoder((prefix, max, random) -> {
            if (prefix.parent() == null) {
                return StubDecoder.Row.of(rootCalls[0]++ == 0 ? new int[] {1, 1, 1, 1} : StubDecoder.letters(max, random), -1f, 1f);
            }
            int[] t = StubDecoder.letters(max, random);
            if (Arrays.equals(prefix.tokens(), new int[] {1, 1, 1, 1})) {
                t[max - 1] = StubDecoder.EOS;
            }
            return StubDecoder.Row.of(t, -1f, 1f);
        });
        RolloutSampler sampler = sampler(SMALL, decoder);
        startTrees(sampler, 1);
        sampler.round();
        assertTrue(decoder.released.isEmpty(), "both root children are still being extended");
        PrefixNode doomed = decoder.calls.get(0).get(0).prefix();
        sampler.round();
        // The "aaaa" subtree is done: it and its two leaves go at once, the rest of the tree stays.
        assertEquals(3, decoder.released.size());
        assertTrue(decoder.released.stream().allMatch(n -> n.parent() != null));
        assertTrue(decoder.isCached(doomed), "the prompt is still shared by the live half");
        sampler.runToCompletion();
        assertEquals(0, decoder.cachedNodes());
        assertEquals(decoder.released.size(), new HashSet<>(decoder.released).size(), "nothing is released twice");
    }

    @Test
    void treesStartedWhileOthersAreInFlightJoinTheNextRound() {
        StubDecoder decoder = new StubDecoder(ENDLESS);
        RolloutSampler sampler = sampler(SMALL, decoder);
        startTrees(sampler, 1);
        sampler.round();
        sampler.start(new RolloutSampler.TreeRequest("late", "p-late", PROMPT, AnswerCheck.NONE, 7));
        sampler.round();
        // the first tree's 4 paths and the late tree's 2 first paths, in one call
        assertEquals(6, decoder.calls.get(1).size());
        Map<String, List<SampledLeaf>> leaves = byTree(sampler.runToCompletion());
        assertEquals(8, leaves.get("t0").size());
        assertEquals(8, leaves.get("late").size());
    }

    @Test
    void aTreeIdCannotBeStartedTwiceWhileInFlight() {
        RolloutSampler sampler = sampler(SMALL, new StubDecoder(ENDLESS));
        startTrees(sampler, 1);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> startTrees(sampler, 1));
        assertEquals("tree t0 is already in flight", e.getMessage());
    }

    @Test
    void withoutQualifyingLeavesTheFallbackRestartsFromTheBarePrompt() {
        // Depth 1: both first paths stop at MAX_DEPTH, which GOOD_QUALITY does not accept.
        TreeConfig config = SMALL.toBuilder().maxDepth(1).width(4).build();
        StubDecoder decoder = new StubDecoder(ENDLESS);
        List<SampledLeaf> leaves = run(config, decoder, 1);
        assertEquals(4, leaves.size());
        assertTrue(decoder.calls.get(1).stream().allMatch(r -> r.prefix().parent() == null), "copies start at the prompt");
        assertEquals(2, decoder.calls.get(1).size(), "branch copies");
    }

    @Test
    void highestEntropyFallbackContinuesFromJustBeforeTheMostUncertainToken() {
        TreeConfig config = SMALL.toBuilder().width(2).firstDivergence(1).branch(1)
                .fallbackPoint(FallbackPoint.HIGHEST_ENTROPY).build();
        StubDecoder decoder = new StubDecoder((prefix, max, random) -> new StubDecoder.Row(
                new int[] {1, 2, 3, StubDecoder.EOS}, new float[] {-1f, -1f, -1f, -1f}, new float[] {0.1f, 0.2f, 2f, 0.3f}));
        List<SampledLeaf> leaves = run(config, decoder, 1);
        assertArrayEquals(new int[] {1, 2}, leaves.get(1).segments().get(0).tokens());
        // the continuation completes the cut level with 4 - 2 tokens, then a full segment follows
        assertArrayEquals(new int[] {1, 2}, leaves.get(1).segments().get(1).tokens());
        assertArrayEquals(new int[] {1, 2, 1, 2, 1, 2, 3, StubDecoder.EOS}, leaves.get(1).responseTokens());
    }
}
