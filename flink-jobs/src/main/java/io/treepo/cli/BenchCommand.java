package io.treepo.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code treepo bench}: measurements of the policy and the samplers on this machine. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks: run one of the subcommands.",
        subcommands = {BenchDecodeCommand.class, BenchSamplingCommand.class, BenchBacklogCommand.class, BenchLearningCommand.class})
public final class BenchCommand implements Runnable {

    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
