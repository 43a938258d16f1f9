package io.treepo.tasks;

import java.util.Objects;
import java.util.Optional;

/**
 * Arithmetic whose warm-start corpus mixes two ways of answering the same kind of problem, with
 * nothing in the prompt saying which to use: a worked solution (one operation per line, as
 * {@link ArithmeticTask} writes it) or the answer alone. Both are correctly formatted and both
 * right in the corpus; a small policy trained on it picks each some of the time, and working step
 * by step is right far more often than answering at once. The reward is the verified answer only,
 * so RL has a real choice to learn: use, reliably, the way of solving it already knows.
 *
 * <pre>
 * prompt:    "Q: 7+3*4-5=?\n"                          (the same as arithmetic's)
 * worked:    "3*4=12, 7+12-5\n7+12=19, 19-5\n19-5=14\nA: 14"
 * direct:    "A: 14"
 * </pre>
 *
 * <p>Which style a problem's solution takes is drawn from its seed ({@link #WORKED_SHARE} worked),
 * independently of the expression, so the same expression appears with both. Splits are
 * arithmetic's: held-out problems are never trained on.
 *
 * <p>Its warm start continues from arithmetic's ({@link #warmStartBase()}), as a base model that has
 * read much worked mathematics is then tuned on data that mostly answers at once: on the mixed
 * corpus alone, a small policy learns to work problems out too poorly for the choice to matter.
 */
public final class StrategyArithmeticTask implements Task {

    public static final String NAME = "strategy-arithmetic";

    /**
     * Share of the corpus's solutions that show their work. A third: the warm start then samples
     * worked solutions a third of the time but, greedy, answers at once, so what RL has to learn is
     * to pick the way it already knows and is better at. (At a half, greedy decoding already worked
     * most problems, 145 of 200, and left RL little choice to learn.)
     */
    public static final double WORKED_SHARE = 1.0 / 3;

    private final ArithmeticTask arithmetic;

    public StrategyArithmeticTask(ArithmeticConfig config) {
        this.arithmetic = new ArithmeticTask(Objects.requireNonNull(config, "config"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Problem generate(long seed, Split split) {
        Problem worked = arithmetic.generate(seed, split);
        return showsWork(seed) ? worked : new Problem(worked.prompt(), worked.reference(), "A: " + worked.reference());
    }

    /** Whether a response works step by step: a line before its {@code A:} line. What the loop's progress reports the share of. */
    public static boolean isWorked(String response) {
        int answer = response.indexOf("A:");
        return answer > 0 && response.substring(0, answer).contains("\n");
    }

    @Override
    public Optional<Boolean> worked(String response) {
        return Optional.of(isWorked(response));
    }

    /** A seed's style, by a mix of its bits independent of how {@link Splits} draws the expression. */
    private static boolean showsWork(long seed) {
        long z = seed * 0xD1B54A32D192ED03L;
        z = (z ^ (z >>> 29)) * 0xBF58476D1CE4E5B9L;
        return ((z ^ (z >>> 32)) >>> 11) * 0x1.0p-53 < WORKED_SHARE;
    }

    @Override
    public Optional<String> warmStartBase() {
        return Optional.of(ArithmeticTask.NAME);
    }

    @Override
    public String extractAnswer(String response) {
        return arithmetic.extractAnswer(response);
    }
}
