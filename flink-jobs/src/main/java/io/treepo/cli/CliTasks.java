package io.treepo.cli;

import io.treepo.tasks.Task;
import io.treepo.tasks.Tasks;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Task look-up for commands: an unknown name is a bad argument (exit 2), with the known names. */
final class CliTasks {
    private CliTasks() {}

    static Task byName(CommandSpec spec, String name) {
        try {
            return Tasks.byName(name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--task: " + e.getMessage());
        }
    }
}
