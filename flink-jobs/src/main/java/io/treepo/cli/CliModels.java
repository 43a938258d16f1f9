package io.treepo.cli;

import io.treepo.policy.ModelFiles;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code --model DIR} for commands: a directory that is not a supported model is a bad argument (exit 2), in one line. */
final class CliModels {
    private CliModels() {}

    static ModelFiles.Model load(CommandSpec spec, Path dir) {
        return load(spec, dir, "--model");
    }

    /** The same for an option of another name. */
    static ModelFiles.Model load(CommandSpec spec, Path dir, String option) {
        if (!ModelFiles.exists(dir) && !java.nio.file.Files.isDirectory(dir)) {
            throw new ParameterException(spec.commandLine(), option + ": no model at " + dir + " (make one with 'treepo pretrain --out DIR')");
        }
        try {
            return ModelFiles.load(dir);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
        }
    }
}
