package io.treepo.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.treepo.policy.SegmentDecoder.DecodeRequest;
import io.treepo.policy.SegmentDecoder.DecodedSegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DjlSegmentDecoderTest {
    private static final ModelConfig TINY = ModelConfig.tiny();
    private static final Tokenizer TOKENIZER = new ByteTokenizer();

    static DjlSegmentDecoder decoder(long budget) {
        return DjlSegmentDecoder.create(new DecoderConfig(budget, "cpu"), TOKENIZER, m -> TransformerModel.initialize(TINY, m, 7), 1);
    }

    /** Records, per request and step, the logits the token was drawn from. */
    static Map<String, float[]> observe(DjlSegmentDecoder decoder) {
        Map<String, float[]> seen = new HashMap<>();
        decoder.setObserver((request, step, logits, offset) ->
                seen.put(request + "/" + step, java.util.Arrays.copyOfRange(logits, offset, offset + decoder.modelConfig().vocabSize())));
        return seen;
    }

    /** Logits of a full, uncached pass over {@code tokens}: (T, V). */
    static float[][] fullLogits(TransformerModel model, int[] tokens) {
        try (NDManager m = model.manager().newSubManager()) {
            NDArray logits = model.forwardFull(m.create(toLong(tokens), new Shape(1, tokens.length)));
            float[] flat = logits.toFloatArray();
            float[][] out = new float[tokens.length][];
            int v = model.config().vocabSize();
            for (int t = 0; t < tokens.length; t++) out[t] = java.util.Arrays.copyOfRange(flat, t * v, (t + 1) * v);
            return out;
        }
    }

    static long[] toLong(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }

    /** Every token of {@code segment} was drawn from logits equal to a full pass over its prefix. */
    static void assertMatchesFullPass(DjlSegmentDecoder decoder, Map<String, float[]> seen, int request, DecodedSegment segment) {
        int[] all = segment.node().fullTokens();
        float[][] full = fullLogits(decoder.model(), all);
        int start = segment.node().parent().totalLength();
        for (int i = 0; i < segment.tokens().length; i++) {
            assertArrayEquals(full[start + i - 1], seen.get(request + "/" + i), 1e-4f, "request " + request + " token " + i);
        }
    }

    @Test
    void cachedDecodingMatchesFullForwardForRowsOfDifferentLengths() {
        try (DjlSegmentDecoder decoder = decoder(1L << 30)) {
            Map<String, float[]> seen = observe(decoder);
            List<DecodeRequest> requests = List.of(
                    new DecodeRequest(PrefixNode.root(TOKENIZER.encodePrompt("1+2=")), 12),
                    new DecodeRequest(PrefixNode.root(TOKENIZER.encodePrompt("a much longer prompt: 17*3-4=")), 12),
                    new DecodeRequest(PrefixNode.root(new int[] {ByteTokenizer.BOS}), 5));
            List<DecodedSegment> out = decoder.decode(requests, SamplingConfig.standard(), 42);
            for (int r = 0; r < out.size(); r++) {
                assertMatchesFullPass(decoder, seen, r, out.get(r));
            }
        }
    }

    @Test
    void rowsOutlivingEarlierRowsStillMatchFullForwardAfterCompaction() {
        try (DjlSegmentDecoder decoder = decoder(1L << 30)) {
            Map<String, float[]> seen = observe(decoder);
            List<DecodeRequest> requests = List.of(
                    new DecodeRequest(PrefixNode.root(TOKENIZER.encodePrompt("1+2=")), 2),
                    new DecodeRequest(PrefixNode.root(TOKENIZER.encodePrompt("9*9=")), 4),
                    new DecodeRequest(PrefixNode.root(TOKENIZER.encodePrompt("a longer prompt: 17*3-4=")), 12),
                    new DecodeRequest(PrefixNode.root(TOKENIZER.encodePrompt("8-3=")), 12));
            List<DecodedSegment> out = decoder.decode(requests, SamplingConfig.greedy(), 7);
            for (int r = 0; r < out.size(); r++) {
                assertMatchesFullPass(decoder, seen, r, out.get(r));
            }
            // the first two rows stop early, so the batch is compacted under the last two: their new
            // nodes' cache entries must come from their rows after compaction, so continuing them stays exact
            seen.clear();
            List<DecodedSegment> next = decoder.decode(
                    List.of(new DecodeRequest(out.get(2).node(), 6), new DecodeRequest(out.get(3).node(), 6)), SamplingConfig.greedy(), 8);
            for (int r = 0; r < next.size(); r++) {
                assertMatchesFullPass(decoder, seen, r, next.get(r));
            }
            assertEquals(0, decoder.counters().recomputedTokens());
        }
    }

    @Test
    void twoBranchesFromOneNodeMatchIndependentFullPasses() {
        try (DjlSegmentDecoder decoder = decoder(1L << 30)) {
            Map<String, float[]> seen = observe(decoder);
            PrefixNode root = PrefixNode.root(TOKENIZER.encodePrompt("12-5="));
            DecodedSegment first = decoder.decode(List.of(new DecodeRequest(root, 8)), SamplingConfig.standard(), 1).get(0);
            long before = decoder.counters().processedTokens();
            List<DecodedSegment> branches = decoder.decode(
                    List.of(new DecodeRequest(first.node(), 8), new DecodeRequest(first.node(), 8)), SamplingConfig.standard(), 2);
            for (int r = 0; r < 2; r++) {
                assertMatchesFullPass(decoder, seen, r, branches.get(r));
            }
            DecodeCounters spent = decoder.counters();
            assertEquals(0, spent.recomputedTokens(), "the shared prefix is not recomputed");
            assertEquals(root.ownLength(), spent.prefillTokens(), "the prompt is prefilled once");
            assertEquals(spent.decodedTokens(), spent.processedTokens() - before + first.tokens().length);
        }
    }

    @Test
    void siblingsSharingOneCopyOfTheirPrefixMatchFullPassesAsRowsAndGroupsFinish() {
        try (DjlSegmentDecoder decoder = decoder(1L << 30)) {
            Map<String, float[]> seen = observe(decoder);
            List<DecodedSegment> parents = decoder.decode(List.of(
                    new DecodeRequest(PrefixNode.root(TOKENIZER.encodePrompt("7+8=")), 6),
                    new DecodeRequest(PrefixNode.root(TOKENIZER.encodePrompt("a longer prompt: 3*4=")), 6)), SamplingConfig.standard(), 3);
            PrefixNode a = parents.get(0).node();
            PrefixNode b = parents.get(1).node();
            // two groups of three siblings: b's group ends first and a's moves into its slots, while
            // one of a's rows ends early and stays in its group
            seen.clear();
            List<DecodedSegment> out = decoder.decode(List.of(
                    new DecodeRequest(b, 3), new DecodeRequest(b, 3), new DecodeRequest(b, 3),
                    new DecodeRequest(a, 2), new DecodeRequest(a, 9), new DecodeRequest(a, 9)), SamplingConfig.standard(), 4);
            for (int r = 0; r < out.size(); r++) {
                assertMatchesFullPass(decoder, seen, r, out.get(r));
            }
            // every new node's cache entry came from its own row's columns: continuing each stays exact
            seen.clear();
            List<DecodedSegment> next = decoder.decode(
                    out.stream().map(s -> new DecodeRequest(s.node(), 4)).toList(), SamplingConfig.standard(), 5);
            for (int r = 0; r < next.size(); r++) {
                assertMatchesFullPass(decoder, seen, r, next.get(r));
            }
            assertEquals(0, decoder.counters().recomputedTokens());
        }
    }

    @Test
    void siblingsWhosePrefixWasEvictedRecomputeItInOneGroupAndStillMatchFullPasses() {
        PrefixNode root = PrefixNode.root(TOKENIZER.encodePrompt("4*4-7="));
        int rootPositions = KvCache.entryEnd(root) - KvCache.entryStart(root);
        long bytesPerPosition = 2L * TINY.layers() * TINY.kvHeads() * TINY.headDim() * Float.BYTES;
        // room for the prompt's entry, not for its longer child's: the child is recomputed each time
        try (DjlSegmentDecoder decoder = decoder(bytesPerPosition * rootPositions + bytesPerPosition / 2)) {
            Map<String, float[]> seen = observe(decoder);
            PrefixNode parent = decoder.decode(List.of(new DecodeRequest(root, rootPositions + 4)), SamplingConfig.greedy(), 1)
                    .get(0).node();
            seen.clear();
            List<DecodedSegment> siblings = decoder.decode(
                    List.of(new DecodeRequest(parent, 5), new DecodeRequest(parent, 5)), SamplingConfig.standard(), 2);
            for (int r = 0; r < 2; r++) {
                assertMatchesFullPass(decoder, seen, r, siblings.get(r));
            }
            assertTrue(decoder.counters().recomputedTokens() > 0, "the evicted parent was recomputed");
        }
    }

    @Test
    void afterASwapEmptiesTheCacheEveryNodeOfATreeIsRecomputedOnceAndDecodingStaysExact() {
        try (DjlSegmentDecoder decoder = decoder(1L << 30)) {
            Map<String, float[]> seen = observe(decoder);
            // a tree: prompt -> two paths -> two branches each, so four nodes share two parents and one prompt
            PrefixNode root = PrefixNode.root(TOKENIZER.encodePrompt("6+8+3+9="));
            List<PrefixNode> level = List.of(root, root);
            List<PrefixNode> nodes = new ArrayList<>(List.of(root));
            for (int depth = 0; depth < 2; depth++) {
                List<DecodeRequest> requests = new ArrayList<>();
                for (PrefixNode n : level) requests.add(new DecodeRequest(n, 5));
                List<PrefixNode> next = new ArrayList<>();
                for (DecodedSegment s : decoder.decode(requests, SamplingConfig.standard(), 10 + depth)) {
                    next.add(s.node());
                    next.add(s.node());
                    nodes.add(s.node());
                }
                level = next;
            }
            decoder.installWeights(WeightsCodec.encode(decoder.model()), 2);
            long recomputedBefore = decoder.counters().recomputedTokens();
            seen.clear();
            List<DecodeRequest> requests = new ArrayList<>();
            for (PrefixNode n : level) requests.add(new DecodeRequest(n, 4));
            List<DecodedSegment> out = decoder.decode(requests, SamplingConfig.standard(), 20);
            for (int r = 0; r < out.size(); r++) {
                assertMatchesFullPass(decoder, seen, r, out.get(r));
            }
            long positions = 0;
            for (PrefixNode n : nodes) positions += KvCache.entryEnd(n) - KvCache.entryStart(n);
            assertEquals(positions, decoder.counters().recomputedTokens() - recomputedBefore,
                    "the prompt, both paths and all four branches, each once");
        }
    }

    @Test
    void siblingsShareAPrefixCopyWhenItSavesMoreThanEmptySlotsCost() {
        assertEquals(2, DjlSegmentDecoder.groupSize(new int[] {2, 2, 2}, 15), "pairs of branches");
        assertEquals(16, DjlSegmentDecoder.groupSize(new int[] {16, 16}, 15), "independent samples of one prompt");
        assertEquals(1, DjlSegmentDecoder.groupSize(new int[] {1, 1, 1}, 60), "nothing shared");
        assertEquals(1, DjlSegmentDecoder.groupSize(new int[] {2, 1, 1, 1}, 15), "a short prefix is not worth empty slots");
        assertEquals(2, DjlSegmentDecoder.groupSize(new int[] {2, 2, 2, 1}, 60));
    }

    @Test
    void sameSeedGivesSameTokensAndLogProbs() {
        List<DecodedSegment> a;
        List<DecodedSegment> b;
        List<DecodeRequest> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) requests.add(new DecodeRequest(PrefixNode.root(TOKENIZER.encodePrompt(i + "*" + i + "=")), 10));
        SamplingConfig sampling = new SamplingConfig(0.8f, 50, 0.95f);
        try (DjlSegmentDecoder d1 = decoder(1L << 30); DjlSegmentDecoder d2 = decoder(1L << 30)) {
            a = d1.decode(requests, sampling, 99);
            b = d2.decode(requests, sampling, 99);
        }
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).tokens(), b.get(i).tokens());
            assertArrayEquals(a.get(i).logProbs(), b.get(i).logProbs(), 1e-6f);
            for (float lp : a.get(i).logProbs()) assertTrue(lp <= 0);
        }
    }

    @Test
    void rowStopsAtEosAndNeverPassesTheContext() {
        try (DjlSegmentDecoder decoder = decoder(1L << 30)) {
            int[] nearlyFull = new int[TINY.contextLength() - 3];
            java.util.Arrays.fill(nearlyFull, 'x');
            List<DecodedSegment> out = decoder.decode(
                    List.of(new DecodeRequest(PrefixNode.root(nearlyFull), 50), new DecodeRequest(PrefixNode.root(new int[] {1}), 40)),
                    SamplingConfig.standard(), 3);
            assertEquals(3, out.get(0).tokens().length);
            assertEquals(TINY.contextLength(), out.get(0).node().totalLength());
            DecodedSegment full = decoder.decode(List.of(new DecodeRequest(out.get(0).node(), 5)), SamplingConfig.standard(), 3).get(0);
            assertEquals(0, full.tokens().length);
            for (DecodedSegment s : out) {
                for (int i = 0; i < s.tokens().length - 1; i++) assertTrue(s.tokens()[i] != ByteTokenizer.EOS);
                assertEquals(s.endedWithEos(), s.tokens().length > 0 && s.tokens()[s.tokens().length - 1] == ByteTokenizer.EOS);
            }
        }
    }

    @Test
    void cacheStaysWithinBudgetAndEvictedNodesAreRecomputedCorrectly() {
        long budget = 64 * 1024;
        try (DjlSegmentDecoder decoder = decoder(budget)) {
            Map<String, float[]> seen = observe(decoder);
            PrefixNode root = PrefixNode.root(TOKENIZER.encodePrompt("the shared prompt of the batch="));
            List<DecodeRequest> requests = new ArrayList<>();
            for (int i = 0; i < 48; i++) requests.add(new DecodeRequest(root, 16));
            List<DecodedSegment> first = decoder.decode(requests, SamplingConfig.standard(), 5);
            assertTrue(decoder.counters().cacheBytes() <= budget, "cache bytes " + decoder.counters().cacheBytes());
            assertTrue(decoder.cacheEvictions() > 0, "the budget forced evictions");
            List<DecodeRequest> next = new ArrayList<>();
            for (DecodedSegment s : first) next.add(new DecodeRequest(s.node(), 6));
            seen.clear();
            List<DecodedSegment> second = decoder.decode(next, SamplingConfig.standard(), 6);
            assertTrue(decoder.counters().recomputedTokens() > 0, "evicted nodes were recomputed");
            assertTrue(decoder.counters().cacheBytes() <= budget);
            for (int r = 0; r < second.size(); r += 7) {
                assertMatchesFullPass(decoder, seen, r, second.get(r));
            }
        }
    }

    @Test
    void restoredNodesWithoutCacheAreRecomputedAndCounted() {
        try (DjlSegmentDecoder decoder = decoder(1L << 30)) {
            Map<String, float[]> seen = observe(decoder);
            PrefixNode restored = PrefixNode.root(TOKENIZER.encodePrompt("7+8=")).child(TOKENIZER.encode("15"));
            DecodedSegment s = decoder.decode(List.of(new DecodeRequest(restored, 6)), SamplingConfig.standard(), 1).get(0);
            assertMatchesFullPass(decoder, seen, 0, s);
            assertEquals(5, decoder.counters().prefillTokens());
            assertEquals(2, decoder.counters().recomputedTokens());
        }
    }

    @Test
    void rowsSharingAnUncachedPromptComputeItOnce() {
        try (DjlSegmentDecoder decoder = decoder(1L << 30)) {
            Map<String, float[]> seen = observe(decoder);
            PrefixNode root = PrefixNode.root(TOKENIZER.encodePrompt("3*4-5="));
            List<DecodedSegment> rows = decoder.decode(
                    List.of(new DecodeRequest(root, 6), new DecodeRequest(root, 6), new DecodeRequest(root, 6)), SamplingConfig.standard(), 3);
            for (int r = 0; r < rows.size(); r++) {
                assertMatchesFullPass(decoder, seen, r, rows.get(r));
            }
            assertEquals(root.ownLength(), decoder.counters().prefillTokens(), "the prompt is prefilled once");
            assertEquals(0, decoder.counters().recomputedTokens(), "and not again for the other rows");
        }
    }
}
