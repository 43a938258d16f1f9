package io.treepo.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A task over real problems (GSM8K, MATH, ...) read by {@link JsonlDataset}. Responses are scored
 * on their last answer marker ({@link AnswerExtractor#ANY_MARKER}: {@code #### N},
 * {@code \boxed{}}, {@code A: ...}, {@code answer is ...}) compared with
 * {@link Answers#equivalent}.
 *
 * <p>A record's split is {@link Splits#of} its prompt; {@link #generate} picks, uniformly under
 * the seed, one record of the requested split. A task built without records only scores: that is
 * what the reward operator needs, since prompts from Kafka carry their own reference.
 */
public final class DatasetTask implements Task {

    private final String name;
    private final List<Problem> train;
    private final List<Problem> heldOut;

    /** @param records the problems to draw from; empty for a task that only scores */
    public DatasetTask(String name, List<DatasetRecord> records) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(records, "records");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        List<Problem> train = new ArrayList<>();
        List<Problem> heldOut = new ArrayList<>();
        for (DatasetRecord record : records) {
            (Splits.of(record.prompt()) == Split.TRAIN ? train : heldOut).add(record.toProblem());
        }
        this.name = name;
        this.train = List.copyOf(train);
        this.heldOut = List.copyOf(heldOut);
    }

    /** A task that only scores; {@link #generate} refuses. */
    public static DatasetTask scoringOnly(String name) {
        return new DatasetTask(name, List.of());
    }

    @Override
    public String name() {
        return name;
    }

    /** How many problems the split holds. */
    public int size(Split split) {
        return problems(Objects.requireNonNull(split, "split")).size();
    }

    @Override
    public Problem generate(long seed, Split split) {
        List<Problem> problems = problems(Objects.requireNonNull(split, "split"));
        if (problems.isEmpty()) {
            throw new IllegalStateException("task '" + name + "' has no " + split
                    + " problems: build it with new DatasetTask(name, JsonlDataset.readAll(...).records())");
        }
        return problems.get(new SplittableRandom(seed).nextInt(problems.size()));
    }

    @Override
    public String extractAnswer(String response) {
        return AnswerExtractor.ANY_MARKER.extract(response);
    }

    private List<Problem> problems(Split split) {
        return split == Split.TRAIN ? train : heldOut;
    }
}
