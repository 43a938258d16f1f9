package io.treepo.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import io.treepo.policy.Devices;
import io.treepo.policy.ModelFiles;
import io.treepo.tasks.Task;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options of a run on this machine (embedded Kafka, local Flink), shared by {@code demo} and {@code compare}. */
final class LocalRunOptions {

    @Option(names = "--web-port", paramLabel = "PORT", defaultValue = "8081", description = "Flink Web UI port. Default: ${DEFAULT-VALUE}.")
    int webPort;

    @Option(names = {"--web-address", "--web-bind"}, paramLabel = "ADDRESS", defaultValue = "localhost",
            description = "Address the Web UI listens on: localhost keeps it on this machine; 0.0.0.0 opens it to other hosts "
                    + "(the UI has no authentication). Default: ${DEFAULT-VALUE}.")
    String webBind;

    @Mixin
    WarmStartOptions start;

    @Option(names = "--backlog", paramLabel = "N", defaultValue = "0",
            description = "Prompts produced ahead of training; 0 picks enough to keep the rollout busy and no more "
                    + "(trees per step + trees in flight): prompts sampled further ahead are trained staler. Default: ${DEFAULT-VALUE}.")
    int backlog;

    @Option(names = "--checkpoint-interval", paramLabel = "SECONDS", defaultValue = "30",
            description = "Flink checkpoint interval. Default: ${DEFAULT-VALUE}.")
    int checkpointSeconds;

    @Option(names = "--eval-prompts", paramLabel = "N", defaultValue = "200",
            description = "Held-out problems scored greedily (as `eval` does) at the start, every --eval-every seconds and at the end; "
                    + "0 turns held-out evaluation off. Default: ${DEFAULT-VALUE}.")
    int evalPrompts;

    @Option(names = "--eval-every", paramLabel = "SECONDS", defaultValue = "60",
            description = "Seconds between held-out evaluations of the newest version. Default: ${DEFAULT-VALUE}.")
    long evalSeconds;

    /** Checks the options; run before anything starts. */
    void validate(CommandSpec spec, double minutes) {
        if (minutes < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--minutes must be >= 0, got " + minutes);
        if (evalPrompts < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--eval-prompts must be >= 0, got " + evalPrompts);
        if (evalSeconds < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--eval-every must be >= 1, got " + evalSeconds);
        if (backlog < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--backlog must be >= 0, got " + backlog);
        start.validate(spec);
    }

    /**
     * Refuses a taken Web UI port, after the other options are checked: it would otherwise fail deep
     * in Flink's start, as "Could not create the DispatcherResourceManagerComponent".
     */
    void requireFreePort(CommandSpec spec) {
        if (webPort == 0) return;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(webBind, webPort));
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--web-port " + webPort + " on " + webBind
                    + " is in use (another demo, or a Flink cluster?): stop it, or pass --web-port N (0 for any free port)");
        }
    }

    String webUrl() {
        return "http://" + ("0.0.0.0".equals(webBind) ? "localhost" : webBind) + ":" + webPort;
    }

    /**
     * Loads the warm start, pretraining it first if missing (with every core), then gives PyTorch one
     * intra-op thread per caller for the loop: rollout and trainer decode and train at once in this JVM,
     * and each caller thread gets its own OpenMP team, so two threads each oversubscribe two cores. One
     * each decoded 6,000 tokens/s in the job against 4,279 with two (demo, 90 s each, 2026-11-23).
     * Pretraining alone runs 1.5x faster on two threads (300 steps: 0.9 against 1.4 min).
     */
    ModelFiles.Model warmStart(CommandSpec spec, PrintWriter out) {
        ModelFiles.Model weights = start.load(spec, out);
        Devices.limitIntraOpThreads(1);
        return weights;
    }

    LoopRun loopRun(CommandSpec spec, String jobName, LoopOptions loop, ModelFiles.Model warmStart, Path reportDir, double minutes) {
        Task prompts = CliTasks.byName(spec, start.task);
        // Every prompt beyond what one update and the trees in flight take is sampled before the update that
        // precedes its training lands: a version staler, and PPO's clip discards what it would have taught.
        int ahead = backlog > 0 ? backlog : loop.treesPerStep + loop.maxTreesInFlight * loop.rolloutParallelism;
        return new LoopRun(jobName, loop, prompts, warmStart, reportDir, minutes, webBind, webPort, checkpointSeconds, ahead, evalPrompts,
                Duration.ofSeconds(evalSeconds));
    }

    /**
     * A flag that Ctrl-C (or a TERM signal) sets; the JVM then waits, up to a minute, for
     * {@code finished} so a run can stop its job and write its report.
     */
    static AtomicBoolean stopOnShutdown(CountDownLatch finished) {
        AtomicBoolean stop = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.set(true);
            try {
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "treepo-shutdown"));
        return stop;
    }
}
