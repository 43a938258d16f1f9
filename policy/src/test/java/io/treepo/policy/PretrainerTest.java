package io.treepo.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PretrainerTest {

    @Test
    void trainsUntilStoppedAndReportsEveryStep() {
        Tokenizer tokenizer = new ByteTokenizer();
        List<Pretrainer.Progress> seen = new ArrayList<>();
        int[] next = {0};
        try (PolicyTrainer trainer = PolicyTrainer.create(ModelConfig.tiny(), TrainerConfig.pretraining(), tokenizer, "cpu", 3)) {
            Pretrainer.Progress last = new Pretrainer(trainer, tokenizer, 4).run(
                    () -> new Pretrainer.Example(next[0] + "+1=", String.valueOf(next[0]++ + 1)), p -> p.step() == 5, seen::add);
            assertEquals(5, last.step());
            assertEquals(5, seen.size());
            assertEquals(20, next[0], "four examples a step");
            assertTrue(last.tokensPerSecond() > 0 && Double.isFinite(last.loss()));
        }
    }

    @Test
    void pairsLongerThanTheContextAreSkipped() {
        Tokenizer tokenizer = new ByteTokenizer();
        int[] calls = {0};
        try (PolicyTrainer trainer = PolicyTrainer.create(ModelConfig.tiny(), TrainerConfig.pretraining(), tokenizer, "cpu", 3)) {
            new Pretrainer(trainer, tokenizer, 2).run(
                    () -> new Pretrainer.Example(calls[0]++ % 2 == 0 ? "x".repeat(100) : "1+1=", "2"), p -> true, p -> {});
            assertEquals(4, calls[0]);
        }
    }
}
