package io.treepo.rollout.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treepo.schemas.FinishReason;
import org.junit.jupiter.api.Test;

class FinishRuleTest {
    private final TreeConfig config = TreeConfig.builder().segmentTokens(64).maxDepth(3).maxResponseTokens(100).build();
    private final FinishRule rule = new FinishRule(config, StubDecoder.EOS, StubDecoder.TEXT);
    private final AnswerCheck answered = text -> text.contains("z");

    private static SegmentNode segment(int depth, int responseLength, int... tokens) {
        return new SegmentNode(1, 0, depth, tokens.length, false, responseLength, tokens, new float[tokens.length],
                new float[tokens.length], 0);
    }

    private FinishReason classify(SegmentNode s) {
        return rule.classify(s, false, s::tokens, answered);
    }

    @Test
    void repetitionNeedsEightOccurrencesOfA32CharSubstring() {
        String unit = "abcdefghijklmnopqrstuvwxyzabcdef"; // 32 distinct windows repeat with period 32
        assertTrue(RepetitionRule.PAPER.detects(unit.repeat(8)));
        assertFalse(RepetitionRule.PAPER.detects(unit.repeat(7) + "abcdefghijklmnopqrstuvwxyzabcde"));
        assertTrue(RepetitionRule.PAPER.detects("a".repeat(39)));
        assertFalse(RepetitionRule.PAPER.detects("a".repeat(38)));
    }

    @Test
    void repetitionWinsOverEveryOtherReason() {
        int[] tokens = new int[40];
        java.util.Arrays.fill(tokens, 1);
        tokens[39] = StubDecoder.EOS;
        assertEquals(FinishReason.REPETITION, classify(segment(3, 100, tokens)));
    }

    @Test
    void eosWithAnswerIsFinishedWithoutIsEos() {
        assertEquals(FinishReason.FINISHED, classify(segment(1, 3, 26, 2, StubDecoder.EOS)));
        assertEquals(FinishReason.EOS, classify(segment(1, 3, 1, 2, StubDecoder.EOS)));
    }

    @Test
    void eosAsTheFirstTokenOfASegmentCounts() {
        assertEquals(FinishReason.EOS, classify(segment(2, 40, StubDecoder.EOS)));
    }

    @Test
    void answerIsLookedForInTheWholeResponseNotJustTheSegment() {
        SegmentNode last = segment(2, 4, 1, StubDecoder.EOS);
        assertEquals(FinishReason.FINISHED, rule.classify(last, true, () -> new int[] {26, 3, 1, StubDecoder.EOS}, answered));
    }

    @Test
    void lengthBeforeDepthThenActive() {
        assertEquals(FinishReason.MAX_LENGTH, classify(segment(3, 100, 1, 2)));
        assertEquals(FinishReason.MAX_DEPTH, classify(segment(3, 99, 1, 2)));
        assertNull(classify(segment(2, 99, 1, 2)));
    }

    @Test
    void anEmptySegmentMeansTheContextIsFull() {
        assertEquals(FinishReason.MAX_LENGTH, classify(segment(1, 10)));
    }
}
