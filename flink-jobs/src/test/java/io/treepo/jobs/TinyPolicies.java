package io.treepo.jobs;

import io.treepo.policy.ByteTokenizer;
import io.treepo.policy.EncodedWeights;
import io.treepo.policy.ModelConfig;
import io.treepo.policy.PolicyTrainer;
import io.treepo.policy.Pretrainer;
import io.treepo.policy.TrainerConfig;
import java.util.Random;

/** Tiny warm starts for tests that need the loop to learn, or at least to earn rewards, in seconds. */
public final class TinyPolicies {
    private TinyPolicies() {}

    /**
     * A tiny policy that writes "A: d" after any prompt, d uniform over 3, 4, 5 and 6: on "Say 5" a
     * quarter of its answers are right, so most trees of a few leaves hold a reward signal and the
     * trainer makes versions (a random policy earns none, and trees without signal are dropped).
     */
    public static EncodedWeights formatOnly() {
        ByteTokenizer tokenizer = new ByteTokenizer();
        Random random = new Random(3);
        try (PolicyTrainer trainer = PolicyTrainer.create(ModelConfig.tiny(), TrainerConfig.pretraining().withLearningRate(3e-3f), tokenizer, "cpu", 1)) {
            new Pretrainer(trainer, tokenizer, 16).run(
                    () -> new Pretrainer.Example("Say " + random.nextInt(10) + "\n", "A: " + (3 + random.nextInt(4))),
                    p -> p.step() >= 150, p -> {});
            return trainer.weights();
        }
    }
}
