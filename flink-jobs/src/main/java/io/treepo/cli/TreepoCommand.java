package io.treepo.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code treepo} command line: one subcommand per job, tool and benchmark. */
@Command(
        name = "treepo",
        mixinStandardHelpOptions = true,
        version = "treepo 0.1.0",
        description = "Continuous online RL of language models (TreePO) as an Apache Flink streaming job.",
        subcommands = {
            CommandLine.HelpCommand.class,
            BrokerCommand.class,
            ProduceCommand.class,
            DemoCommand.class,
            CompareCommand.class,
            JobCommand.class,
            ClusterCommand.class,
            PretrainCommand.class,
            EvalCommand.class,
            ExportCommand.class,
            BenchCommand.class,
        })
public final class TreepoCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // DJL must never reach for the network (it would try a metadata address and native downloads).
        System.setProperty("ai.djl.offline", "true");
        System.exit(newCommandLine().execute(args));
    }

    /** The command line with the project's error handling: one clear line, usage, exit code 2. */
    public static CommandLine newCommandLine() {
        return withErrorHandling(new CommandLine(new TreepoCommand()));
    }

    /** One clear line on a bad argument (exit code 2) or a failure (exit code 1), for any of the commands. */
    static CommandLine withErrorHandling(CommandLine cli) {
        cli.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("error: " + ex.getMessage());
            cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            cmd.getErr().println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            return 1;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
