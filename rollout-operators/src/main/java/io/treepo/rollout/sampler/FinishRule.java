package io.treepo.rollout.sampler;

import io.treepo.schemas.FinishReason;
import java.util.function.Supplier;

/**
 * Classifies a path after its newest segment (TREEPO.md section 1, step 3), first match wins:
 * REPETITION, FINISHED (answer and EOS), EOS, MAX_LENGTH, MAX_DEPTH; null while the path is active.
 */
public final class FinishRule {
    private final RepetitionRule repetition;
    private final int maxResponseTokens;
    private final int maxDepth;
    private final int eosToken;
    private final Detokenizer detokenizer;

    public FinishRule(TreeConfig config, int eosToken, Detokenizer detokenizer) {
        this.repetition = config.repetition();
        this.maxResponseTokens = config.maxResponseTokens();
        this.maxDepth = config.maxDepth();
        this.eosToken = eosToken;
        this.detokenizer = detokenizer;
    }

    /**
     * @param segment the path's newest node
     * @param decoderSawEos what the decoder reported for the segment
     * @param response the path's whole response, asked for only when the answer check needs it
     */
    public FinishReason classify(SegmentNode segment, boolean decoderSawEos, Supplier<int[]> response, AnswerCheck answers) {
        if (repetition.detects(detokenizer.text(segment.tokens()))) {
            return FinishReason.REPETITION;
        }
        if (endsWithEos(segment, decoderSawEos)) {
            return answers.hasAnswer(detokenizer.text(response.get())) ? FinishReason.FINISHED : FinishReason.EOS;
        }
        // An empty segment means the prefix already fills the model's context: no room is left either.
        if (segment.responseLength() >= maxResponseTokens || segment.tokens().length == 0) {
            return FinishReason.MAX_LENGTH;
        }
        if (segment.depth() >= maxDepth) {
            return FinishReason.MAX_DEPTH;
        }
        return null;
    }

    /**
     * A segment whose only token is EOS counts too: the released code looks for EOS after the first
     * token and lets such paths run on.
     */
    private boolean endsWithEos(SegmentNode segment, boolean decoderSawEos) {
        int[] tokens = segment.tokens();
        return decoderSawEos || tokens.length > 0 && tokens[tokens.length - 1] == eosToken;
    }
}
