package io.treepo.rollout.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treepo.policy.PrefixNode;
import io.treepo.policy.SegmentDecoder.DecodeRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class Fr3eSamplingTest {
    private static final int[] PROMPT = {5, 6, 7};
    private static final int EOS = StubDecoder.EOS;
    /** K = 3 states besides the prompt, width 8: n = 2 rollouts per state. */
    private static final TreeConfig CONFIG = TreeConfig.builder().kind(SamplerKind.FR3E)
            .segmentTokens(4).maxDepth(4).maxResponseTokens(64).width(8).fr3eStates(3).build();

    /**
     * The first-return trajectory is 1 2 3 4 | 5 6 7 EOS. Its first token is the most uncertain but no
     * candidate (a cut before it is the prompt); then come position 6 (entropy 6), 2 (5) and 4 (4, a
     * segment boundary). Every rollout says 9 EOS.
     */
    private static StubDecoder scripted() {
        int[] calls = {0};
        return new StubDecoder((prefix, max, random) -> switch (calls[0]++) {
            case 0 -> new StubDecoder.Row(new int[] {1, 2, 3, 4}, new float[] {-1f, -1f, -1f, -1f}, new float[] {9f, 0.1f, 5f, 0.2f});
            case 1 -> new StubDecoder.Row(new int[] {5, 6, 7, EOS}, new float[] {-1f, -1f, -1f, -1f}, new float[] {4f, 0.3f, 6f, 0.1f});
            default -> StubDecoder.Row.of(new int[] {9, EOS}, -0.5f, 1f);
        });
    }

    private static SegmentNode segment(int id, int parent, int responseLength, float... entropies) {
        int[] tokens = new int[entropies.length];
        return new SegmentNode(id, parent, id, entropies.length, false, responseLength, tokens, new float[entropies.length], entropies, 1);
    }

    @Test
    void statesAreTheKMostUncertainTokensInPathOrderNeverTheFirst() {
        List<SegmentNode> path = List.of(segment(1, 0, 4, 10f, 5f, 0.2f, 3f), segment(2, 1, 8, 9f, 0.3f, 4f, 0.5f));
        assertEquals(List.of(new FallbackPoint.Cut(0, 1), new FallbackPoint.Cut(1, 0), new FallbackPoint.Cut(1, 2)),
                Fr3eExpansion.stateCuts(path, 3));
        // ties go to the earlier token; a path shorter than K + 1 tokens gives fewer states
        assertEquals(List.of(new FallbackPoint.Cut(0, 1)), Fr3eExpansion.stateCuts(List.of(segment(1, 0, 3, 1f, 2f, 2f)), 1));
        assertEquals(List.of(new FallbackPoint.Cut(0, 1), new FallbackPoint.Cut(0, 2)),
                Fr3eExpansion.stateCuts(List.of(segment(1, 0, 3, 1f, 2f, 2f)), 5));
    }

    @Test
    void rolloutsStartFromEveryStatesPrefixAndCarryTheirKey() {
        StubDecoder decoder = scripted();
        RolloutSampler sampler = new RolloutSampler(CONFIG, decoder, StubDecoder.TEXT, 1);
        sampler.start(new RolloutSampler.TreeRequest("t", "p", PROMPT, AnswerCheck.NONE, 0));
        List<SampledLeaf> leaves = sampler.runToCompletion();

        assertEquals(8, leaves.size(), "width leaves: the trajectory is one of the prompt's n rollouts");
        SampledLeaf trajectory = leaves.get(0);
        assertEquals(0, trajectory.fr3eState());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, EOS}, trajectory.responseTokens());
        Map<Integer, List<SampledLeaf>> byState = leaves.stream()
                .collect(Collectors.groupingBy(SampledLeaf::fr3eState, TreeMap::new, Collectors.toList()));
        assertEquals(Map.of(0, 2, 1, 2, 2, 2, 3, 2), byState.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size())));
        // S_j is the trajectory up to (not including) its j-th state token: each a prefix of the next
        int[][] prefixes = {{}, {1, 2}, {1, 2, 3, 4}, {1, 2, 3, 4, 5, 6}};
        for (int j = 1; j <= 3; j++) {
            for (SampledLeaf leaf : byState.get(j)) {
                int[] expected = Arrays.copyOf(prefixes[j], prefixes[j].length + 2);
                expected[expected.length - 2] = 9;
                assertArrayEquals(expected, leaf.responseTokens(), "state " + j);
            }
        }
        assertArrayEquals(new int[] {9, EOS}, byState.get(0).get(1).responseTokens());
        // a cut inside a segment keeps the trajectory's recorded figures for its tokens
        SegmentNode cut = byState.get(3).get(0).segments().get(1);
        assertTrue(cut.cut());
        assertArrayEquals(new float[] {4f, 0.3f}, cut.entropies());
        assertTrue(leaves.stream().allMatch(l -> l.sampler() == SamplerKind.FR3E));
        assertEquals(8, leaves.get(7).leavesInTree());
    }

    @Test
    void theRolloutsOfAStateShareItsPrefixAndStartInOneDecodeCall() {
        StubDecoder decoder = scripted();
        RolloutSampler sampler = new RolloutSampler(CONFIG, decoder, StubDecoder.TEXT, 1);
        sampler.start(new RolloutSampler.TreeRequest("t", "p", PROMPT, AnswerCheck.NONE, 0));
        sampler.runToCompletion();

        assertEquals(List.of(1, 1, 7), decoder.calls.stream().map(List::size).toList(), "trajectory segment by segment, then every rollout");
        Map<PrefixNode, List<DecodeRequest>> byPrefix = new IdentityHashMap<>();
        decoder.calls.get(2).forEach(r -> byPrefix.computeIfAbsent(r.prefix(), p -> new ArrayList<>()).add(r));
        assertEquals(4, byPrefix.size(), "one shared prefix per state");
        // S_0: 1 more rollout; S_1 (2 tokens into the first segment) completes its level; S_2 is a boundary; S_3 as S_1
        List<String> shapes = byPrefix.entrySet().stream()
                .map(e -> depth(e.getKey()) + ":" + e.getValue().size() + "x" + e.getValue().get(0).maxTokens())
                .sorted().toList();
        assertEquals(List.of("0:1x4", "1:2x2", "1:2x4", "2:2x2"), shapes);
        assertEquals(0, decoder.cachedNodes(), "every cache entry is released when the tree completes");
    }

    @Test
    void trajectoriesAndRolloutsOfDifferentTreesShareEachRoundsDecodeCall() {
        // Tree "short" ends its trajectory in the first round, "long" only at the depth limit.
        StubDecoder decoder = new StubDecoder((prefix, max, random) -> {
            int[] t = StubDecoder.letters(max, random);
            if (root(prefix).tokens()[0] == 1) {
                t[max - 1] = EOS;
            }
            return new StubDecoder.Row(t, new float[max], entropies(max, random));
        });
        RolloutSampler sampler = new RolloutSampler(CONFIG, decoder, StubDecoder.TEXT, 1);
        sampler.start(new RolloutSampler.TreeRequest("short", "p1", new int[] {1, 2}, AnswerCheck.NONE, 1));
        sampler.start(new RolloutSampler.TreeRequest("long", "p2", new int[] {3, 4}, AnswerCheck.NONE, 2));
        int rounds = 0;
        List<SampledLeaf> leaves = new ArrayList<>();
        while (sampler.activeTrees() > 0) {
            leaves.addAll(sampler.round().leaves());
            rounds++;
            assertEquals(rounds, decoder.calls.size());
        }
        assertEquals(2, decoder.calls.get(0).size(), "both trajectories");
        assertEquals(8, decoder.calls.get(1).size(), "short's 7 rollouts and long's trajectory");
        leaves.stream().collect(Collectors.groupingBy(SampledLeaf::treeId)).forEach((tree, own) ->
                assertEquals(Map.of(0, 2L, 1, 2L, 2, 2L, 3, 2L),
                        own.stream().collect(Collectors.groupingBy(SampledLeaf::fr3eState, Collectors.counting())), tree));
    }

    @Test
    void aRestoredTreeKeepsItsStates() throws Exception {
        // Rollouts take two segments, so the tree is checkpointed with them in flight.
        int[] calls = {0};
        StubDecoder.Script script = (prefix, max, random) -> calls[0]++ < 2
                ? new StubDecoder.Row(new int[] {1, 2, 3, calls[0] == 2 ? EOS : 4}, new float[4], new float[] {0f, 3f, 2f, 1f})
                : StubDecoder.Row.of(prefix.tokens()[0] == 8 ? new int[] {8, EOS} : new int[] {8, 8, 8, 8}, -1f, 1f);
        RolloutSampler before = new RolloutSampler(CONFIG, new StubDecoder(script), StubDecoder.TEXT, 1);
        before.start(new RolloutSampler.TreeRequest("t", "p", PROMPT, AnswerCheck.NONE, 0));
        List<SampledLeaf> leaves = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            leaves.addAll(before.round().leaves());
        }
        RolloutSampler after = new RolloutSampler(CONFIG, new StubDecoder(script), StubDecoder.TEXT, 1);
        before.snapshot().forEach(s -> after.resume(s, AnswerCheck.NONE));
        leaves.addAll(after.runToCompletion());
        assertEquals(Map.of(0, 2L, 1, 2L, 2, 2L, 3, 2L),
                leaves.stream().collect(Collectors.groupingBy(SampledLeaf::fr3eState, Collectors.counting())));
    }

    private static PrefixNode root(PrefixNode node) {
        return node.parent() == null ? node : root(node.parent());
    }

    private static int depth(PrefixNode node) {
        return node.parent() == null ? 0 : 1 + depth(node.parent());
    }

    private static float[] entropies(int n, java.util.Random random) {
        float[] e = new float[n];
        for (int i = 0; i < n; i++) {
            e[i] = random.nextFloat();
        }
        return e;
    }
}
