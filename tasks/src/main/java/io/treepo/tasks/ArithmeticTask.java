package io.treepo.tasks;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /** A worked line's operation, before the comma that restates the rest: {@code 7+12=19}. */
    private static final Pattern OPERATION = Pattern.compile("(-?\\d+)([+*-])(-?\\d+)=(-?\\d+)");

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

    /**
     * Whether a response shows its work and every worked line states a true operation: at least
     * one line before the {@code A:} line, each starting {@code a op b=c} with {@code c} right.
     * The score does not check this, and a small policy often reaches the right answer after a
     * wrong step ({@code 14+3=21, 21+9} then {@code 21+9=26}, answer 26): training on such leaves
     * teaches the wrong facts (see BENCHMARKS.md, Learning).
     */
    public static boolean workIsValid(String response) {
        int steps = 0;
        for (String line : response.split("\n")) {
            if (line.startsWith("A:")) {
                break;
            }
            Matcher m = OPERATION.matcher(line.split(",", 2)[0].trim());
            if (!m.matches() || !holds(m)) {
                return false;
            }
            steps++;
        }
        return steps > 0;
    }

    private static boolean holds(Matcher operation) {
        try {
            long a = Long.parseLong(operation.group(1));
            long b = Long.parseLong(operation.group(3));
            long c = Long.parseLong(operation.group(4));
            long value = switch (operation.group(2).charAt(0)) {
                case '+' -> a + b;
                case '-' -> a - b;
                default -> a * b;
            };
            return value == c;
        } catch (NumberFormatException e) {
            return false; // more digits than a long: not a step this task writes
        }
    }

    @Override
    public String extractAnswer(String response) {
        return AnswerExtractor.ANSWER_LINE.extract(response);
    }
}
