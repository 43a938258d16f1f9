package io.treepo.cli;

import io.treepo.cluster.ClusterSettings;
import io.treepo.cluster.JavaProcess;
import io.treepo.cluster.StandaloneCluster;
import io.treepo.kafka.KafkaClientConfig;
import io.treepo.kafka.PromptProducer;
import io.treepo.kafka.TaskPrompts;
import io.treepo.kafka.Topics;
import io.treepo.tasks.Task;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Starts a real multi-process cluster on this machine and runs the job on it; --stop ends it.",
            "",
            "A Kafka broker, a standalone Flink JobManager and --taskmanagers TaskManagers, each in its own JVM",
            "(Flink's own entrypoints, configuration in DIR/conf, logs in DIR/log), on the class path of the",
            "cluster's lib/ (cluster-lib: Flink, DJL with PyTorch's natives, the Prometheus reporter). The job jar",
            "(flink-jobs/target/treepo-job.jar) is uploaded and run through Flink's REST API, as the Web UI does.",
            "The command returns once the job runs; the processes stay until `treepo cluster --stop`.",
            "Options after -- go to `treepo job` (e.g. -- --trees-per-step 8 --width 4)."
        })
final class ClusterCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--stop", description = "Stop the cluster started from --dir (every process it started) and exit.")
    boolean stop;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = ".treepo/cluster",
            description = "Configuration, logs, checkpoints and the process list. Default: ${DEFAULT-VALUE}.")
    Path dir;

    @Option(names = "--taskmanagers", paramLabel = "N", defaultValue = "2", description = "TaskManagers to start. Default: ${DEFAULT-VALUE}.")
    int taskManagers;

    @Option(names = "--slots", paramLabel = "N", defaultValue = "2",
            description = "Slots per TaskManager; the job takes 3 with --rollout-parallelism 1 (default group, rollout, trainer). Default: ${DEFAULT-VALUE}.")
    int slots;

    @Option(names = "--taskmanager-memory", paramLabel = "MB", defaultValue = "1536",
            description = "Process size of each TaskManager (PyTorch's own memory comes on top). Default: ${DEFAULT-VALUE}.")
    int taskManagerMemoryMb;

    @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "9092", description = "Broker port on localhost. Default: ${DEFAULT-VALUE}.")
    int kafkaPort;

    @Option(names = "--web-port", paramLabel = "PORT", defaultValue = "8081", description = "Flink Web UI and REST port. Default: ${DEFAULT-VALUE}.")
    int webPort;

    @Option(names = "--web-address", paramLabel = "ADDRESS", defaultValue = "localhost",
            description = "Address the Web UI listens on (0.0.0.0 opens it to other hosts; it has no authentication). Default: ${DEFAULT-VALUE}.")
    String webBind;

    @Option(names = "--prometheus-port", paramLabel = "PORT", defaultValue = "9249",
            description = "Prometheus endpoint of the JobManager; TaskManager i answers on PORT+i. Default: ${DEFAULT-VALUE}.")
    int prometheusPort;

    @Option(names = "--checkpoint-interval", paramLabel = "SECONDS", defaultValue = "10", description = "Checkpoint interval. Default: ${DEFAULT-VALUE}.")
    int checkpointSeconds;

    @Option(names = "--prompts", paramLabel = "N", defaultValue = "200",
            description = "Prompts of --task produced into treepo.prompts once the job runs; 0 produces none "
                    + "(then use `treepo produce --bootstrap-servers localhost:PORT`). Default: ${DEFAULT-VALUE}.")
    int prompts;

    @Mixin
    WarmStartOptions start;

    @Parameters(paramLabel = "JOB-OPTION", arity = "0..*", description = "After --: options of `treepo job` (the loop's options).")
    List<String> jobOptions = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (stop) {
            List<JavaProcess> stopped = StandaloneCluster.stop(dir);
            out.println(stopped.isEmpty() ? "No cluster running from " + dir.toAbsolutePath() + "."
                    : "Stopped " + stopped.stream().map(p -> p.name() + " (pid " + p.pid() + ")").collect(Collectors.joining(", ")) + ".");
            return 0;
        }
        Task task = validate();
        List<JavaProcess> running = StandaloneCluster.running(dir);
        if (!running.isEmpty()) {
            throw new IllegalStateException("a cluster from " + dir.toAbsolutePath() + " is still running (pids "
                    + running.stream().map(p -> Long.toString(p.pid())).collect(Collectors.joining(", ")) + "): `treepo cluster --stop` first");
        }
        Artifacts artifacts = Artifacts.find();
        start.load(spec, out); // pretrains the warm start first if it is missing
        Path model = start.model().toAbsolutePath();

        ClusterSettings settings = new ClusterSettings(dir, artifacts.libClassPath(), System.getProperty("java.class.path"), kafkaPort,
                webBind, webPort, prometheusPort, taskManagers, slots, taskManagerMemoryMb, checkpointSeconds,
                JavaProcess.Lifetime.DETACHED, Map.of());
        StandaloneCluster cluster = StandaloneCluster.start(settings, line -> {
            out.println(line);
            out.flush();
        });
        try {
            List<String> args = new ArrayList<>(List.of("--bootstrap-servers", settings.bootstrapServers(), "--model", model.toString(),
                    "--checkpoint-interval", Integer.toString(checkpointSeconds)));
            args.addAll(jobOptions);
            out.println("Submitting " + artifacts.jobJar() + " (" + Files.size(artifacts.jobJar()) / (1024 * 1024) + " MB) through "
                    + settings.webUrl() + "/jars/upload ...");
            out.flush();
            String job = cluster.submit(artifacts.jobJar(), args);
            cluster.awaitRunning(job, Duration.ofMinutes(3));
            if (prompts > 0) {
                produce(settings, task);
            }
            out.println();
            out.println("Flink Web UI: " + settings.webUrl() + "   job " + job + " RUNNING on " + taskManagers + " TaskManagers");
            out.println("Kafka: " + settings.bootstrapServers() + "   prompts produced: " + prompts + " (more: ./treepo produce --bootstrap-servers "
                    + settings.bootstrapServers() + " --count 1000)");
            StringBuilder prom = new StringBuilder("Prometheus: http://localhost:" + cluster.prometheusPort(0) + "/metrics (JobManager)");
            for (int i = 1; i <= taskManagers; i++) {
                prom.append(", :").append(cluster.prometheusPort(i)).append(" (taskmanager-").append(i).append(')');
            }
            out.println(prom);
            out.println("Logs: " + settings.dir().resolve("log") + "   checkpoints: " + settings.dir().resolve("checkpoints"));
            out.println("Stop it all: ./treepo cluster --stop" + (dir.equals(Path.of(".treepo/cluster")) ? "" : " --dir " + dir));
            out.flush();
            return 0;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    private Task validate() {
        if (taskManagers < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--taskmanagers must be >= 1, got " + taskManagers);
        if (slots < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--slots must be >= 1, got " + slots);
        if (taskManagerMemoryMb < 768) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--taskmanager-memory must be >= 768 MB, got " + taskManagerMemoryMb);
        }
        if (checkpointSeconds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--checkpoint-interval must be >= 1, got " + checkpointSeconds);
        }
        if (prompts < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--prompts must be >= 0, got " + prompts);
        return start.validate(spec);
    }

    private void produce(ClusterSettings settings, Task task) {
        try (PromptProducer producer = new PromptProducer(KafkaClientConfig.of(settings.bootstrapServers(), null),
                Topics.DEFAULT_PROMPTS, 0, p -> {})) {
            new TaskPrompts(task, Task.Split.TRAIN, System.currentTimeMillis(), prompts).forEachRemaining(producer::send);
            producer.finish();
        }
    }

    /**
     * What the cluster runs, from the build: the lib/ class path (cluster-lib) and the job jar. Found
     * under the project's root: {@code treepo.home} (the launcher sets it) or the working directory.
     */
    record Artifacts(String libClassPath, Path jobJar) {
        static Artifacts find() throws IOException {
            Path home = Path.of(System.getProperty("treepo.home", "."));
            Path classpath = home.resolve("cluster-lib/target/lib-classpath.txt");
            Path jobJar = home.resolve("flink-jobs/target/treepo-job.jar");
            for (Path p : List.of(classpath, jobJar)) {
                if (!Files.exists(p)) {
                    throw new IllegalStateException(p.toAbsolutePath() + " is missing: build first (mvn -B -DskipTests -pl flink-jobs -am package; ./treepo does)");
                }
            }
            return new Artifacts(Files.readString(classpath).strip(), jobJar.toAbsolutePath());
        }
    }
}
