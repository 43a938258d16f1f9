package io.treepo.policy;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Supervised warm-up from scratch: next-token training on (prompt, solution) pairs, the loss on
 * the solution's tokens (and the EOS after it) only, so the policy learns the response format
 * without learning to write prompts.
 */
public final class Pretrainer {
    private final PolicyTrainer trainer;
    private final Tokenizer tokenizer;
    private final int batchSize;

    /** One supervised pair. */
    public record Example(String prompt, String solution) {}

    /**
     * @param step applied updates so far
     * @param loss mean negative log-likelihood per solution token of the last batch
     * @param tokensPerSecond prompt + solution tokens trained on per second since the start
     */
    public record Progress(long step, double loss, double tokensPerSecond, double seconds, boolean skipped) {}

    public Pretrainer(PolicyTrainer trainer, Tokenizer tokenizer, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        this.trainer = trainer;
        this.tokenizer = tokenizer;
        this.batchSize = batchSize;
    }

    /** Mean negative log-likelihood of the real response tokens. */
    public static Function<TokenLogProbs, NDArray> negativeLogLikelihood() {
        return t -> t.logProbs().mul(t.mask()).sum().neg().div(t.mask().sum());
    }

    /**
     * Trains for {@code seconds} of wall-clock time or {@code maxSteps} steps (0: no step limit),
     * whichever comes first, the learning rate annealed along a cosine from the peak to a tenth of
     * it as the budget runs out (a short run ends at a much lower loss with the decay).
     */
    public Progress runFor(double seconds, long maxSteps, Supplier<Example> examples, Consumer<Progress> listener) {
        return run(examples, p -> {
            double done = Math.min(1.0, Math.max(p.seconds() / seconds, maxSteps > 0 ? (double) p.step() / maxSteps : 0));
            trainer.setLearningRateScale((float) (0.1 + 0.45 * (1 + Math.cos(Math.PI * done))));
            return done >= 1.0;
        }, listener);
    }

    /**
     * Trains batch after batch from {@code examples} until {@code stop} accepts the last progress;
     * each step's progress goes to {@code listener}. Pairs longer than the context are skipped.
     */
    public Progress run(Supplier<Example> examples, Predicate<Progress> stop, Consumer<Progress> listener) {
        long start = System.nanoTime();
        long tokens = 0;
        int context = trainer.modelConfig().contextLength();
        Progress progress;
        do {
            List<TrainSequence> batch = new ArrayList<>(batchSize);
            while (batch.size() < batchSize) {
                Example e = examples.get();
                TrainSequence s = new TrainSequence(tokenizer.encodePrompt(e.prompt()), tokenizer.encodeResponse(e.solution()));
                if (s.promptTokens().length + s.responseTokens().length <= context) {
                    batch.add(s);
                    tokens += s.promptTokens().length + s.responseTokens().length;
                }
            }
            StepResult result = trainer.step(batch, negativeLogLikelihood());
            double seconds = (System.nanoTime() - start) / 1e9;
            progress = new Progress(result.step(), result.loss(), tokens / seconds, seconds, result.skipped());
            listener.accept(progress);
        } while (!stop.test(progress));
        return progress;
    }
}
