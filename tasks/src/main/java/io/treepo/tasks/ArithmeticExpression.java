package io.treepo.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * An integer expression over {@code + - *} with positive operands, and its step-by-step
 * evaluation. Division is left out on purpose: every intermediate value stays an integer, so
 * each solution line is one small, exactly checkable fact.
 *
 * @param operands n+1 positive operands
 * @param operators n operators, each {@code '+'}, {@code '-'} or {@code '*'}
 */
public record ArithmeticExpression(List<Long> operands, List<Character> operators) {

    private static final String OPERATORS = "+-*";

    public ArithmeticExpression {
        operands = List.copyOf(Objects.requireNonNull(operands, "operands"));
        operators = List.copyOf(Objects.requireNonNull(operators, "operators"));
        if (operators.isEmpty() || operands.size() != operators.size() + 1) {
            throw new IllegalArgumentException("operands must number operators + 1 (and operators at least 1), got "
                    + operands.size() + " operands and " + operators.size() + " operators");
        }
        for (long operand : operands) {
            if (operand < 1) {
                throw new IllegalArgumentException("operands must be positive, got " + operand);
            }
        }
        for (char op : operators) {
            if (OPERATORS.indexOf(op) < 0) {
                throw new IllegalArgumentException("operators must be one of " + OPERATORS + ", got " + op);
            }
        }
    }

    /** A random expression as {@code config} allows, drawn from {@code random}. */
    public static ArithmeticExpression random(SplittableRandom random, ArithmeticConfig config) {
        int n = random.nextInt(config.minOperations(), config.maxOperations() + 1);
        List<Long> operands = new ArrayList<>(n + 1);
        List<Character> operators = new ArrayList<>(n);
        operands.add((long) random.nextInt(1, config.maxOperand() + 1));
        for (int i = 0; i < n; i++) {
            operators.add(OPERATORS.charAt(random.nextInt(OPERATORS.length())));
            operands.add((long) random.nextInt(1, config.maxOperand() + 1));
        }
        return new ArithmeticExpression(operands, operators);
    }

    /** The expression without spaces, e.g. {@code 7+3*4-5}: also the key that decides its split. */
    public String canonical() {
        return render(operands, operators);
    }

    /**
     * One line per operation, in the order a person would work: products first, leftmost first,
     * then sums and differences left to right. A line is the operation, {@code a op b=c}, then
     * what remains of the expression: {@code 7+3*4-5} gives {@code 3*4=12, 7+12-5},
     * {@code 7+12=19, 19-5}, {@code 19-5=14}. Restating the remainder keeps every step local
     * (the next operands are on the line before), which is what a tiny model can learn, and it
     * makes responses a few segments long.
     */
    public List<String> steps() {
        List<String> steps = new ArrayList<>(operators.size());
        evaluate(steps);
        return List.copyOf(steps);
    }

    /** The expression's value under the usual precedence. */
    public long value() {
        return evaluate(new ArrayList<>());
    }

    private long evaluate(List<String> steps) {
        List<Long> values = new ArrayList<>(operands);
        List<Character> ops = new ArrayList<>(operators);
        while (!ops.isEmpty()) {
            int product = ops.indexOf('*');
            String operation = apply(values, ops, Math.max(product, 0));
            steps.add(ops.isEmpty() ? operation : operation + ", " + render(values, ops));
        }
        return values.get(0);
    }

    private static String render(List<Long> values, List<Character> ops) {
        StringBuilder s = new StringBuilder().append(values.get(0));
        for (int i = 0; i < ops.size(); i++) {
            s.append(ops.get(i)).append(values.get(i + 1));
        }
        return s.toString();
    }

    /** Replaces {@code values[i] op[i] values[i+1]} by its result and returns the step line. */
    private static String apply(List<Long> values, List<Character> ops, int i) {
        long a = values.get(i);
        long b = values.remove(i + 1);
        char op = ops.remove(i);
        long c = switch (op) {
            case '+' -> Math.addExact(a, b);
            case '-' -> Math.subtractExact(a, b);
            default -> Math.multiplyExact(a, b);
        };
        values.set(i, c);
        return a + String.valueOf(op) + b + "=" + c;
    }
}
