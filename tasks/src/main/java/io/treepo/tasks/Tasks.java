package io.treepo.tasks;

import java.util.List;
import java.util.Objects;

/**
 * The registry of tasks by the name prompts carry in their {@code task} field.
 *
 * <pre>{@code
 * Task task = Tasks.byName("arithmetic", 3);
 * Task.Score score = Tasks.byName(prompt.getTask()).score(response, prompt.getReference());
 * }</pre>
 *
 * <p>{@code gsm8k} and {@code math} come back scoring-only: to generate from them, build a
 * {@link DatasetTask} over the records of a {@link JsonlDataset}.
 */
public final class Tasks {

    public static final String GSM8K = "gsm8k";
    public static final String MATH = "math";

    /** Echo's difficulty is its number of digits: two keeps it trivially learnable. */
    private static final int ECHO_DEFAULT_DIGITS = 2;

    private static final List<String> NAMES = List.of(ArithmeticTask.NAME, StrategyArithmeticTask.NAME, EchoTask.NAME, GSM8K, MATH);

    private Tasks() {}

    /** Every known task name, sorted. */
    public static List<String> names() {
        return NAMES;
    }

    /** The task of that name at its default difficulty. */
    public static Task byName(String name) {
        return switch (known(name)) {
            case ArithmeticTask.NAME -> new ArithmeticTask(ArithmeticConfig.DEFAULT);
            case StrategyArithmeticTask.NAME -> new StrategyArithmeticTask(ArithmeticConfig.DEFAULT);
            case EchoTask.NAME -> new EchoTask(ECHO_DEFAULT_DIGITS);
            default -> DatasetTask.scoringOnly(name);
        };
    }

    /**
     * The task of that name at a difficulty: for {@code arithmetic} a level of
     * {@link ArithmeticConfig#level}, for {@code echo} the number of digits. Dataset tasks have
     * no difficulty and refuse one rather than ignore it.
     */
    public static Task byName(String name, int difficulty) {
        return switch (known(name)) {
            case ArithmeticTask.NAME -> new ArithmeticTask(ArithmeticConfig.level(difficulty));
            case StrategyArithmeticTask.NAME -> new StrategyArithmeticTask(ArithmeticConfig.level(difficulty));
            case EchoTask.NAME -> new EchoTask(difficulty);
            default -> throw new IllegalArgumentException(
                    "task '" + name + "' has no difficulty levels; use Tasks.byName(name)");
        };
    }

    private static String known(String name) {
        Objects.requireNonNull(name, "name");
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown task '" + name + "'; known tasks: " + String.join(", ", NAMES));
        }
        return name;
    }
}
