package io.treepo.cli;

import io.treepo.policy.ModelFiles;
import io.treepo.tasks.Task;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The policy a run starts from and the task it learns: options shared by demo, compare and bench learning. */
final class WarmStartOptions {

    @Option(names = "--model", paramLabel = "DIR", defaultValue = ".treepo/models/default",
            description = "Warm-start policy; pretrained from scratch into DIR when missing. Default: ${DEFAULT-VALUE}.")
    Path model;

    @Option(names = "--pretrain-steps", paramLabel = "N", defaultValue = WarmStart.DEFAULT_PRETRAIN_STEPS,
            description = "Supervised steps when the model is missing: a step budget, not a time budget, so the warm start "
                    + "is as good on a busy machine as on an idle one (about 25-40%% held-out accuracy, leaving RL room). "
                    + "Default: ${DEFAULT-VALUE}.")
    long pretrainSteps;

    @Option(names = "--task", paramLabel = "NAME", defaultValue = "arithmetic",
            description = "Task of the training prompts and the held-out problems (arithmetic or echo). Default: ${DEFAULT-VALUE}.")
    String task;

    /** Checks the options; returns the task. */
    Task validate(CommandSpec spec) {
        if (pretrainSteps < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--pretrain-steps must be >= 1, got " + pretrainSteps);
        return CliTasks.byName(spec, task);
    }

    ModelFiles.Model load(CommandSpec spec, PrintWriter out) {
        return WarmStart.load(spec, model, task, pretrainSteps, out);
    }
}
