package io.treepo.tasks;

/**
 * How hard {@link ArithmeticTask} problems are: how many operations an expression has (drawn
 * uniformly in [minOperations, maxOperations]) and how large its operands are (drawn uniformly in
 * [1, maxOperand]).
 *
 * @param minOperations at least 1
 * @param maxOperations at most {@value #MAX_OPERATIONS}: one solution line per operation, and a
 *     small model's context is ~256 characters
 * @param maxOperand in [1, {@value #MAX_OPERAND}]: one- and two-digit operands are what a tiny
 *     byte-level model can learn to add and multiply
 */
public record ArithmeticConfig(int minOperations, int maxOperations, int maxOperand) {

    public static final int MAX_OPERATIONS = 8;
    public static final int MAX_OPERAND = 99;

    /** 2-4 operations on single digits: partially learnable by a tiny model in a few minutes. */
    public static final ArithmeticConfig DEFAULT = new ArithmeticConfig(2, 4, 9);

    public ArithmeticConfig {
        if (minOperations < 1) {
            throw new IllegalArgumentException("minOperations must be at least 1, got " + minOperations);
        }
        if (maxOperations < minOperations || maxOperations > MAX_OPERATIONS) {
            throw new IllegalArgumentException("maxOperations must be in [minOperations=" + minOperations
                    + ", " + MAX_OPERATIONS + "], got " + maxOperations);
        }
        if (maxOperand < 1 || maxOperand > MAX_OPERAND) {
            throw new IllegalArgumentException(
                    "maxOperand must be in [1, " + MAX_OPERAND + "], got " + maxOperand);
        }
    }

    /**
     * A named difficulty level: 1 = 1-2 operations on 1-9; 2 = {@link #DEFAULT}; 3 = 3-5
     * operations on 1-12; 4 = 4-6 operations on 1-20. Every level keeps prompt and solution
     * within a 256-character context.
     */
    public static ArithmeticConfig level(int difficulty) {
        return switch (difficulty) {
            case 1 -> new ArithmeticConfig(1, 2, 9);
            case 2 -> DEFAULT;
            case 3 -> new ArithmeticConfig(3, 5, 12);
            case 4 -> new ArithmeticConfig(4, 6, 20);
            default -> throw new IllegalArgumentException("difficulty must be in [1, 4], got " + difficulty);
        };
    }
}
