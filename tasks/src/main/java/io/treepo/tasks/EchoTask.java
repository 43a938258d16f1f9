package io.treepo.tasks;


/**
 * A trivially learnable task for end-to-end tests of learning: the prompt shows a number and the
 * answer repeats it. {@code "Say 42\n"} → {@code "A: 42"}. If a pipeline cannot raise the reward
 * on this, the fault is in the pipeline, not the task.
 *
 * <p>Numbers have 1 to {@code maxDigits} digits; a number's split is {@link Splits#of} its
 * decimal text, and {@link #generate} draws until one lands in the requested split.
 */
public final class EchoTask implements Task {

    public static final String NAME = "echo";
    public static final int MAX_DIGITS = 9;


    private final int maxDigits;
    private final int bound;

    /**
     * @param maxDigits in [1, {@value #MAX_DIGITS}]; with 1 digit the held-out split is the
     *     single number 2 (see {@link Splits}), enough for a smoke test
     */
    public EchoTask(int maxDigits) {
        if (maxDigits < 1 || maxDigits > MAX_DIGITS) {
            throw new IllegalArgumentException("maxDigits must be in [1, " + MAX_DIGITS + "], got " + maxDigits);
        }
        this.maxDigits = maxDigits;
        this.bound = (int) Math.pow(10, maxDigits);
    }

    public int maxDigits() {
        return maxDigits;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Problem generate(long seed, Split split) {
        String number = Splits.draw(seed, split, random -> Integer.toString(random.nextInt(bound)), n -> n, "maxDigits=" + maxDigits);
        return new Problem("Say " + number + "\n", number, "A: " + number);
    }

    @Override
    public String extractAnswer(String response) {
        return AnswerExtractor.ANSWER_LINE.extract(response);
    }
}
