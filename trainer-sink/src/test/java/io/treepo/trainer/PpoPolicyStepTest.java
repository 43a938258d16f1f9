package io.treepo.trainer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.treepo.policy.ByteTokenizer;
import io.treepo.policy.ModelConfig;
import io.treepo.policy.PolicyTrainer;
import io.treepo.policy.StepResult;
import io.treepo.policy.Tokenizer;
import io.treepo.policy.TrainSequence;
import io.treepo.policy.TrainerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The PPO loss through the real policy's training step: the gradient points the right way. */
class PpoPolicyStepTest {
    private static final Tokenizer TOKENIZER = new ByteTokenizer();

    @Test
    void positiveAdvantageTokensBecomeMoreLikelyNegativeOnesLess() {
        TrainerConfig sgd = new TrainerConfig(1e-3f, 0, 0f, 1f, 0.9f, 0.95f, 1e-8f, 0);
        try (PolicyTrainer trainer = PolicyTrainer.create(ModelConfig.tiny(), sgd, TOKENIZER, "cpu", 11)) {
            int[] prompt = TOKENIZER.encodePrompt("1+1=");
            List<TrainSequence> batch = List.of(
                    new TrainSequence(prompt, TOKENIZER.encodeResponse("2")),
                    new TrainSequence(prompt, TOKENIZER.encodeResponse("37")));
            float[][] behaviour = trainer.responseLogProbs(batch);
            float[][] advantages = {{1f, 1f}, {-1f, -1f, -1f}};
            PpoLoss loss = new PpoLoss(PpoConfig.defaults());

            StepResult step = trainer.step(batch, lp -> {
                NDManager m = lp.mask().getManager();
                int width = (int) lp.mask().getShape().get(1);
                return loss.compute(lp, PaddedRows.of(m, behaviour, width), PaddedRows.of(m, advantages, width)).loss();
            });

            assertFalse(step.skipped());
            float[][] after = trainer.responseLogProbs(batch);
            for (int t = 0; t < behaviour[0].length; t++) {
                assertTrue(after[0][t] > behaviour[0][t], "positive-advantage token " + t + " went down");
            }
            for (int t = 0; t < behaviour[1].length; t++) {
                assertTrue(after[1][t] < behaviour[1][t], "negative-advantage token " + t + " went up");
            }
        }
    }
}
