package io.treepo.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code treepo bench}: measurements of the policy and the samplers on this machine. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks: run one of the subcommands.",
        subcommands = {BenchSamplingCommand.class})
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
