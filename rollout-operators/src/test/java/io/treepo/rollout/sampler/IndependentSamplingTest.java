package io.treepo.rollout.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treepo.policy.SegmentDecoder.DecodeRequest;
import io.treepo.schemas.FinishReason;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class IndependentSamplingTest {
    private static final int[] PROMPT = {5, 6, 7};
    private static final TreeConfig CONFIG = TreeConfig.builder().kind(SamplerKind.INDEPENDENT)
            .segmentTokens(4).maxDepth(3).maxResponseTokens(64).width(6).build();

    @Test
    void widthIndependentSamplesSharingOnePromptPrefill() {
        // Some samples stop early; independent sampling must not hand their budget to others.
        StubDecoder decoder = new StubDecoder((prefix, max, random) -> {
            int[] t = StubDecoder.letters(max, random);
            if (random.nextInt(4) == 0) {
                t[max - 1] = StubDecoder.EOS;
            }
            return StubDecoder.Row.of(t, -1f, 1f);
        });
        RolloutSampler sampler = new RolloutSampler(CONFIG, decoder, StubDecoder.TEXT, 1);
        for (int i = 0; i < 3; i++) {
            sampler.start(new RolloutSampler.TreeRequest("t" + i, "p" + i, PROMPT, AnswerCheck.NONE, i));
        }
        List<SampledLeaf> leaves = sampler.runToCompletion();
        assertEquals(18, leaves.size());
        assertEquals(3L * PROMPT.length, sampler.totals().promptTokens(), "one prefill per prompt");
        assertEquals(18, decoder.calls.get(0).size(), "every sample starts in the first round");
        for (int round = 1; round < decoder.calls.size(); round++) {
            assertTrue(decoder.calls.get(round).size() <= decoder.calls.get(round - 1).size(), "samples never branch");
        }
        leaves.stream().collect(Collectors.groupingBy(SampledLeaf::treeId)).values().forEach(tree -> {
            assertEquals(6, tree.size());
            Set<Integer> firstNodes = tree.stream().map(l -> l.nodePath()[0]).collect(Collectors.toSet());
            assertEquals(6, firstNodes.size(), "no two samples share a segment");
        });
        assertTrue(leaves.stream().allMatch(l -> l.sampler() == SamplerKind.INDEPENDENT));
        assertTrue(leaves.stream().allMatch(l -> l.finishReason() == FinishReason.EOS || l.finishReason() == FinishReason.MAX_DEPTH));
        assertEquals(0, decoder.cachedNodes());
    }

    @Test
    void sameStopRulesAsTheTree() {
        StubDecoder decoder = new StubDecoder((prefix, max, random) -> StubDecoder.Row.of(StubDecoder.letters(max, random), -1f, 1f));
        RolloutSampler sampler = new RolloutSampler(CONFIG.toBuilder().maxResponseTokens(10).build(), decoder, StubDecoder.TEXT, 1);
        sampler.start(new RolloutSampler.TreeRequest("t", "p", PROMPT, AnswerCheck.NONE, 0));
        List<SampledLeaf> leaves = sampler.runToCompletion();
        assertEquals(6, leaves.size());
        assertTrue(leaves.stream().allMatch(l -> l.finishReason() == FinishReason.MAX_LENGTH && l.responseLength() == 10));
        assertEquals(new HashSet<>(List.of(2)),
                decoder.calls.get(2).stream().map(DecodeRequest::maxTokens).collect(Collectors.toSet()));
    }
}
