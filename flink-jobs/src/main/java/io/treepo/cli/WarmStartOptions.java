package io.treepo.cli;

import io.treepo.policy.ByteTokenizer;
import io.treepo.policy.ModelConfig;
import io.treepo.policy.ModelFiles;
import io.treepo.policy.PolicyTrainer;
import io.treepo.policy.TrainerConfig;
import io.treepo.tasks.ArithmeticTask;
import io.treepo.tasks.StrategyArithmeticTask;
import io.treepo.tasks.Task;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The policy a run starts from and the task it learns: options shared by demo, compare and the
 * benches. Every one of them starts from the demo's warm start unless told otherwise, so that a
 * figure measured without {@code --model} is a figure of a trained policy; an untrained one only with
 * {@code --model random}.
 */
final class WarmStartOptions {
    /** {@code --model random}: a randomly initialised policy of the default shape; {@code random:tiny} the tiny shape. */
    static final String RANDOM = "random";
    private static final long RANDOM_SEED = 1;

    @Option(names = "--model", paramLabel = "DIR|random",
            description = "Warm-start policy; pretrained from scratch into DIR when missing (as `demo` does). `random` takes an "
                    + "untrained policy of the default shape instead (random:tiny the tiny shape): its rewards mean nothing. "
                    + "Default: .treepo/models/default for arithmetic, .treepo/models/TASK for another task.")
    private Path model;

    @Option(names = "--pretrain-steps", paramLabel = "N", defaultValue = WarmStart.DEFAULT_PRETRAIN_STEPS,
            description = "Supervised steps when the model is missing: a step budget, not a time budget, so the warm start "
                    + "is as good on a busy machine as on an idle one (about 25-40%% held-out accuracy, leaving RL room). "
                    + "Default: ${DEFAULT-VALUE}.")
    long pretrainSteps;

    /**
     * The demo's task: the one where RL has a choice to learn (its warm start mostly answers at once,
     * and learns to work problems out), so a short run shows a clear gain; arithmetic stays a flag away.
     */
    static final String DEFAULT_TASK = StrategyArithmeticTask.NAME;

    @Option(names = "--task", paramLabel = "NAME", defaultValue = DEFAULT_TASK,
            description = "Task of the prompts (and of the pretraining of a missing model): strategy-arithmetic (arithmetic whose warm "
                    + "start mostly answers at once), arithmetic (every answer worked out) or echo. Default: ${DEFAULT-VALUE}.")
    String task;

    /**
     * The warm start's directory: {@code --model}, or one cached per task, so that a run of another
     * task never starts from a policy pretrained on arithmetic.
     */
    Path model() {
        return model != null ? model : cached(task);
    }

    /** Where a task's warm start is cached: {@code .treepo/models/default} for arithmetic, {@code .treepo/models/TASK} else. */
    static Path cached(String task) {
        return Path.of(".treepo/models", task.equals(ArithmeticTask.NAME) ? "default" : task);
    }

    /** Checks the options; returns the task. */
    Task validate(CommandSpec spec) {
        if (pretrainSteps < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--pretrain-steps must be >= 1, got " + pretrainSteps);
        randomShape(spec);
        return CliTasks.byName(spec, task);
    }

    /** Loads the policy (pretraining a missing one first) and prints one line naming it. */
    ModelFiles.Model load(CommandSpec spec, PrintWriter out) {
        ModelConfig shape = randomShape(spec);
        if (shape == null) {
            return WarmStart.load(spec, model(), task, pretrainSteps, out);
        }
        try (PolicyTrainer init = PolicyTrainer.create(shape, TrainerConfig.defaults(), new ByteTokenizer(), "cpu", RANDOM_SEED)) {
            out.printf("Model: %s, randomly initialised (%s): untrained, its rewards and accuracy mean nothing%n", model, WarmStart.describe(shape));
            out.flush();
            return new ModelFiles.Model(init.weights(), null);
        }
    }

    /** What a report calls the model: its directory, or {@code random} with the note that it is untrained. */
    String describe() {
        return isRandom() ? model + " (untrained, rewards meaningless)" : model().toString();
    }

    boolean isRandom() {
        return model != null && (model.toString().equals(RANDOM) || model.toString().startsWith(RANDOM + ":"));
    }

    /** The shape of {@code --model random[:SIZE]}, or null for a model directory. */
    private ModelConfig randomShape(CommandSpec spec) {
        if (!isRandom()) {
            return null;
        }
        return switch (model.toString()) {
            case RANDOM, RANDOM + ":small" -> ModelConfig.defaultSmall();
            case RANDOM + ":tiny" -> ModelConfig.tiny();
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--model: random takes the default shape, or random:tiny or random:small; got '" + model + "'");
        };
    }
}
