package io.treepo.rollout.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treepo.policy.ByteTokenizer;
import io.treepo.policy.DecoderConfig;
import io.treepo.policy.DjlSegmentDecoder;
import io.treepo.policy.ModelConfig;
import io.treepo.policy.PolicyTrainer;
import io.treepo.policy.Tokenizer;
import io.treepo.policy.TrainSequence;
import io.treepo.policy.TrainerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sampler on the real DJL policy (tiny, random weights): what it records is what training sees. */
class RealPolicySamplingTest {
    private static final Tokenizer TOKENIZER = new ByteTokenizer();

    @Test
    void recordedLogProbsEqualTheTrainingForwardOfTheSameSequences() {
        // Depth 2 leaves 4 paths for a width of 8, so the lowest-log-prob fallback must cut leaves:
        // the cut nodes' log-probs were recorded in another context row and must still match.
        TreeConfig config = TreeConfig.builder()
                .segmentTokens(6).maxDepth(2).maxResponseTokens(24).width(8).firstDivergence(2).branch(2)
                .fallbackPoint(FallbackPoint.LOWEST_LOG_PROB).fallbackCandidates(FallbackCandidates.ANY)
                .build();
        try (PolicyTrainer trainer = PolicyTrainer.create(ModelConfig.tiny(), TrainerConfig.defaults(), TOKENIZER, "cpu", 5);
                DjlSegmentDecoder decoder = DjlSegmentDecoder.create(
                        new DecoderConfig(1L << 28, "cpu"), TOKENIZER, trainer.weights(), 1)) {
            RolloutSampler sampler = new RolloutSampler(config, decoder, TOKENIZER::decode, 17);
            for (String prompt : List.of("1+2=", "12*3-4=")) {
                sampler.start(new RolloutSampler.TreeRequest(prompt, prompt, TOKENIZER.encodePrompt(prompt), AnswerCheck.NONE, 3));
            }
            List<SampledLeaf> leaves = sampler.runToCompletion();

            assertEquals(16, leaves.size());
            assertTrue(leaves.stream().anyMatch(l -> l.segments().stream().anyMatch(SegmentNode::cut)), "no fallback cut happened");
            List<TrainSequence> sequences = leaves.stream()
                    .map(l -> new TrainSequence(l.promptTokens(), l.responseTokens())).toList();
            float[][] training = trainer.responseLogProbs(sequences);
            for (int i = 0; i < leaves.size(); i++) {
                assertArrayEquals(training[i], leaves.get(i).logProbs(), 1e-4f, "leaf " + i);
                assertTrue(leaves.get(i).segments().stream().allMatch(s -> s.policyVersion() == 1));
            }
            assertTrue(sampler.totals().recomputedTokens() > 0, "cut nodes are recomputed from tokens");
        }
    }
}
