package io.treepo.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Long runs die of leaked native arrays: repeated calls must leave the managers as they found them. */
class NoArrayLeakTest {
    private static final Tokenizer TOKENIZER = new ByteTokenizer();

    @Test
    void repeatedDecodingLeavesNoArraysBehind() {
        List<String> prompts = List.of("1+2=", "33*3=", "4-9=", "5+5+5=");
        try (DjlSegmentDecoder decoder = DjlSegmentDecoderTest.decoder(1L << 30)) {
            ResponseGenerator generator = new ResponseGenerator(decoder, TOKENIZER, 3, 5);
            generator.generate(prompts, SamplingConfig.standard(), 12, 1);
            int before = decoder.manager().getManagedArrays().size();
            for (int i = 0; i < 3; i++) generator.generate(prompts, SamplingConfig.standard(), 12, 2 + i);
            assertEquals(before, decoder.manager().getManagedArrays().size());
        }
    }

    @Test
    void repeatedTrainingStepsLeaveNoArraysBehind() {
        try (PolicyTrainer trainer = PolicyTrainerTest.trainer(TrainerConfig.defaults())) {
            trainer.step(PolicyTrainerTest.dataset(), Pretrainer.negativeLogLikelihood());
            int before = trainer.manager().getManagedArrays().size();
            for (int i = 0; i < 3; i++) trainer.step(PolicyTrainerTest.dataset(), Pretrainer.negativeLogLikelihood());
            trainer.responseLogProbs(PolicyTrainerTest.dataset());
            trainer.weights();
            assertEquals(before, trainer.manager().getManagedArrays().size());
        }
    }
}
