package io.treepo.cli;

import io.treepo.policy.ModelFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs the whole RL loop on this machine, with the Flink Web UI, and leaves a report.",
            "",
            "Starts an embedded Kafka broker and a local Flink cluster (Web UI at --web-port), warm-starts a",
            "policy (pretrained from scratch and cached on first use), streams generated prompts into Kafka and",
            "runs the streaming job. Prints one line per training batch; ends after --minutes or on Ctrl-C and",
            "leaves a report folder: metrics.csv, PNG plots, summary.txt, the final model and the run's checkpoints."
        })
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--minutes", paramLabel = "M", defaultValue = "0",
            description = "Stop after this many minutes of training; 0 runs until Ctrl-C. Default: ${DEFAULT-VALUE}.")
    double minutes;

    @Option(names = "--report-dir", paramLabel = "DIR", description = "Where the report goes. Default: runs/<timestamp>.")
    Path reportDir;

    @Mixin
    LocalRunOptions run;

    @Mixin
    LoopOptions loop;

    @Override
    public Integer call() throws Exception {
        run.validate(spec, minutes);
        loop.validate(spec);
        run.requireFreePort(spec);
        PrintWriter out = spec.commandLine().getOut();
        out.println("Flink Web UI: " + run.webUrl());
        out.flush();
        ModelFiles.Model warmStart = run.warmStart(spec, out);
        Path dir = reportDir != null ? reportDir : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        CountDownLatch finished = new CountDownLatch(1);
        AtomicBoolean stop = LocalRunOptions.stopOnShutdown(finished);
        try {
            run.loopRun(spec, "treepo demo", loop, warmStart, dir, minutes).run(out, stop);
        } finally {
            finished.countDown();
        }
        return 0;
    }
}
