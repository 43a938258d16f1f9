package io.treepo.tasks;

import java.util.Objects;

/**
 * Integer arithmetic with a worked solution, one operation per line followed by what remains of
 * the expression (see {@link ArithmeticExpression#steps}). Example at the default difficulty:
 *
 * <pre>
 * prompt:    "Q: 7+3*4-5=?\n"
 * solution:  "3*4=12, 7+12-5\n7+12=19, 19-5\n19-5=14\nA: 14"
 * reference: "14"
 * </pre>
 *
 * <p>Responses are scored on their last {@code A: <answer>} line only; the steps are there to be
 * learned, not checked. A problem's split is {@link Splits#of} its canonical expression
 * ({@code 7+3*4-5}); {@link #generate} draws expressions from a generator seeded with
 * {@code seed} until one lands in the requested split.
 */
public final class ArithmeticTask implements Task {

    public static final String NAME = "arithmetic";

    // One problem in ten is held out, so missing a split this many times in a row means the
    // configuration allows almost no distinct problems, not bad luck.

    private final ArithmeticConfig config;

    public ArithmeticTask(ArithmeticConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    public ArithmeticConfig config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Problem generate(long seed, Split split) {
        return problem(Splits.draw(seed, split, random -> ArithmeticExpression.random(random, config),
                ArithmeticExpression::canonical, config.toString()));
    }

    /** The prompt, reference and worked solution for one expression. */
    public static Problem problem(ArithmeticExpression expression) {
        String answer = Long.toString(expression.value());
        String solution = String.join("\n", expression.steps()) + "\nA: " + answer;
        return new Problem("Q: " + expression.canonical() + "=?\n", answer, solution);
    }

    @Override
    public String extractAnswer(String response) {
        return AnswerExtractor.ANSWER_LINE.extract(response);
    }
}
