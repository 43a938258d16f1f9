package io.treepo.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import io.treepo.policy.SegmentDecoder.DecodeRequest;
import io.treepo.policy.SegmentDecoder.DecodedSegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PolicyTrainerTest {
    private static final Tokenizer TOKENIZER = new ByteTokenizer();
    private static final Function<TokenLogProbs, NDArray> NLL =
            t -> t.logProbs().mul(t.mask()).sum().neg().div(t.mask().sum());

    static PolicyTrainer trainer(TrainerConfig config) {
        return PolicyTrainer.create(ModelConfig.tiny(), config, TOKENIZER, "cpu", 11);
    }

    static List<TrainSequence> dataset() {
        List<TrainSequence> out = new ArrayList<>();
        for (String[] pair : new String[][] {{"2+3=", "5"}, {"4*4=", "16"}, {"9-7=", "2"}, {"1+1=", "2"}}) {
            out.add(new TrainSequence(TOKENIZER.encodePrompt(pair[0]), TOKENIZER.encodeResponse(pair[1])));
        }
        return out;
    }

    @Test
    void lossFallsOnATinyRepeatedDataset() {
        try (PolicyTrainer trainer = trainer(TrainerConfig.pretraining().withLearningRate(1e-2f))) {
            StepResult first = trainer.step(dataset(), NLL);
            StepResult last = first;
            for (int i = 0; i < 40; i++) last = trainer.step(dataset(), NLL);
            assertTrue(last.loss() < first.loss() * 0.3, "loss " + first.loss() + " -> " + last.loss());
            assertEquals(41, trainer.steps());
            assertEquals(9, last.responseTokens());
            assertTrue(last.gradNorm() > 0);
        }
    }

    @Test
    void samplingLogProbsEqualTrainingLogProbs() {
        try (PolicyTrainer trainer = trainer(TrainerConfig.defaults());
                DjlSegmentDecoder decoder = DjlSegmentDecoder.create(new DecoderConfig(1L << 30, "cpu"), TOKENIZER, trainer.weights(), 3)) {
            List<DecodeRequest> requests = new ArrayList<>();
            for (TrainSequence s : dataset()) requests.add(new DecodeRequest(PrefixNode.root(s.promptTokens()), 6));
            List<DecodedSegment> first = decoder.decode(requests, SamplingConfig.standard(), 8);
            List<DecodeRequest> continued = new ArrayList<>();
            for (DecodedSegment s : first) continued.add(new DecodeRequest(s.node(), 5));
            List<DecodedSegment> second = decoder.decode(continued, SamplingConfig.standard(), 9);
            List<TrainSequence> sequences = new ArrayList<>();
            List<float[]> sampled = new ArrayList<>();
            for (int i = 0; i < second.size(); i++) {
                int promptLength = requests.get(i).prefix().totalLength();
                int[] all = second.get(i).node().fullTokens();
                int[] response = java.util.Arrays.copyOfRange(all, promptLength, all.length);
                if (response.length == 0) continue;
                sequences.add(new TrainSequence(requests.get(i).prefix().fullTokens(), response));
                float[] lp = new float[response.length];
                System.arraycopy(first.get(i).logProbs(), 0, lp, 0, first.get(i).logProbs().length);
                System.arraycopy(second.get(i).logProbs(), 0, lp, first.get(i).logProbs().length, second.get(i).logProbs().length);
                sampled.add(lp);
            }
            float[][] trained = trainer.responseLogProbs(sequences);
            for (int i = 0; i < sequences.size(); i++) {
                assertArrayEquals(sampled.get(i), trained[i], 1e-4f, "sequence " + i);
            }
            assertEquals(3, second.get(0).policyVersion());
        }
    }

    @Test
    void tokenLogProbsArePaddedOnTheRightWithAMask() {
        try (PolicyTrainer trainer = trainer(TrainerConfig.defaults())) {
            trainer.step(dataset(), t -> {
                assertEquals(new ai.djl.ndarray.types.Shape(4, 3), t.logProbs().getShape());
                assertEquals(new ai.djl.ndarray.types.Shape(4, 3), t.entropies().getShape());
                assertArrayEquals(new float[] {1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 0}, t.mask().toFloatArray());
                for (float e : t.entropies().toFloatArray()) assertTrue(e >= 0 && e <= Math.log(259) + 1e-4);
                return NLL.apply(t);
            });
        }
    }

    @Test
    void nonFiniteLossSkipsTheUpdate() {
        try (PolicyTrainer trainer = trainer(TrainerConfig.defaults())) {
            byte[] before = trainer.weights().payload();
            StepResult result = trainer.step(dataset(), t -> NLL.apply(t).mul(Float.NaN));
            assertTrue(result.skipped());
            assertEquals(0, trainer.steps());
            assertArrayEquals(before, trainer.weights().payload());
            StepResult next = trainer.step(dataset(), NLL);
            assertFalse(next.skipped());
            assertTrue(Double.isFinite(next.gradNorm()));
        }
    }

    @Test
    void snapshotRestoresModelAndOptimizerState() {
        try (PolicyTrainer a = trainer(TrainerConfig.defaults()); PolicyTrainer b = trainer(TrainerConfig.defaults())) {
            for (int i = 0; i < 3; i++) a.step(dataset(), NLL);
            b.restore(a.snapshot());
            assertEquals(3, b.steps());
            StepResult ra = a.step(dataset(), NLL);
            StepResult rb = b.step(dataset(), NLL);
            assertEquals(ra.loss(), rb.loss(), 1e-6);
            assertEquals(ra.learningRate(), rb.learningRate(), 0);
            assertEquals(a.weights().sha256(), b.weights().sha256());
        }
    }

    @Test
    void snapshotOfAnotherConfigIsRefused() {
        ModelConfig other = ModelConfig.tiny().withLayers(1);
        try (PolicyTrainer a = PolicyTrainer.create(other, TrainerConfig.defaults(), TOKENIZER, "cpu", 1);
                PolicyTrainer b = trainer(TrainerConfig.defaults())) {
            WeightsMismatchException e = assertThrows(WeightsMismatchException.class, () -> b.restore(a.snapshot()));
            assertTrue(e.getMessage().contains("num_hidden_layers 2 != 1"), e.getMessage());
        }
    }
}
