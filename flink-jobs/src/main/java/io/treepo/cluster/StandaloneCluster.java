package io.treepo.cluster;

import io.treepo.kafka.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;

/**
 * A Kafka broker, a standalone Flink JobManager and TaskManagers, each in its own JVM on this
 * machine, started with Flink's own entrypoints from a generated configuration directory; what
 * {@code treepo cluster} runs and what its failover test kills. The processes are listed in
 * {@code <dir>/processes.tsv}, so a later {@code treepo cluster --stop} ends exactly them.
 *
 * <pre>{@code
 * try (StandaloneCluster cluster = StandaloneCluster.start(settings, System.out::println)) {
 *     String job = cluster.submit(jobJar, List.of("--bootstrap-servers", cluster.settings().bootstrapServers(), "--model", dir));
 * }
 * }</pre>
 */
public final class StandaloneCluster implements AutoCloseable {
    static final String JOB_MANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    static final String BROKER_MAIN = "io.treepo.cli.TreepoCommand";
    /** The entry class of the job jar: runs {@code treepo job} inside the JobManager. */
    public static final String JOB_ENTRY = "io.treepo.cli.JobEntry";
    static final String STATE_FILE = "processes.tsv";

    /** Flink on Java 17 (Flink's env.java.opts.all; the root pom's flink.jvm.args and the fat jar's manifest hold the same list). */
    static final List<String> FLINK_JVM_ARGS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
    /**
     * DJL offline (it would reach for a metadata address and native downloads); one PyTorch thread per
     * caller, as the demo gives it: rollout and trainer each decode or train in their own task thread.
     */
    static final List<String> DJL_JVM_ARGS = List.of("-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
            "-Dai.djl.pytorch.num_interop_threads=1");

    private final ClusterSettings settings;
    private final Path confDir;
    private final FlinkRest rest;
    private final List<JavaProcess> processes = new ArrayList<>();
    /** Chosen once per process index when the settings ask for free ports. */
    private final Map<Integer, Integer> prometheusPorts = new HashMap<>();
    private int taskManagersStarted;

    private StandaloneCluster(ClusterSettings settings) {
        this.settings = settings;
        this.confDir = settings.dir().resolve("conf");
        this.rest = new FlinkRest(settings.webUrl());
    }

    /** Starts the broker, the JobManager and the TaskManagers, and waits until all TaskManagers have registered. */
    public static StandaloneCluster start(ClusterSettings settings, Consumer<String> progress) throws Exception {
        StandaloneCluster cluster = new StandaloneCluster(settings);
        try {
            cluster.startAll(progress);
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void startAll(Consumer<String> progress) throws Exception {
        Files.createDirectories(settings.dir().resolve("log"));
        FlinkConfig.write(confDir, FlinkConfig.settings(settings, freePort()));

        JavaProcess broker = launch("kafka", List.of("-Xmx512m", "-Dai.djl.offline=true"), settings.brokerClassPath(), BROKER_MAIN,
                List.of("broker", "--port", Integer.toString(settings.kafkaPort()), "--prompt-partitions", "2"));
        progress.accept("Kafka broker (KRaft, own JVM): pid " + broker.pid() + ", " + settings.bootstrapServers());

        List<String> jmArgs = new ArrayList<>(List.of("--configDir", confDir.toString()));
        List<String> jmJvm = FlinkMemory.jobManager(settings.libClassPath(), confDir, jmArgs);
        jmArgs.addAll(List.of("-D", "metrics.reporter.prom.port=" + prometheusPort(0)));
        JavaProcess jobManager = launch("jobmanager", flinkJvm(jmJvm, "jobmanager"), settings.libClassPath(), JOB_MANAGER_MAIN, jmArgs);
        progress.accept("Flink JobManager (standalone session, own JVM): pid " + jobManager.pid());

        awaitTopics(broker, Duration.ofSeconds(90));
        await(() -> rest.overview() != null, Duration.ofSeconds(120), "the JobManager's REST API at " + rest.address(), jobManager);
        for (int i = 0; i < settings.taskManagers(); i++) {
            JavaProcess tm = startTaskManager();
            progress.accept("Flink TaskManager " + tm.name() + " (own JVM): pid " + tm.pid());
        }
        awaitTaskManagers(settings.taskManagers(), Duration.ofSeconds(120));
    }

    /** Starts one more TaskManager ({@code taskmanager-<n>}); it registers with the JobManager on its own. */
    public JavaProcess startTaskManager() throws IOException {
        return startTaskManager(Map.of());
    }

    /**
     * Starts one more TaskManager with settings of its own over the cluster's, for example an
     * external resource ({@code external-resources}, {@code external-resource.<name>.amount}).
     */
    public synchronized JavaProcess startTaskManager(Map<String, String> own) throws IOException {
        int index = ++taskManagersStarted;
        String name = "taskmanager-" + index;
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString()));
        List<String> jvm = FlinkMemory.taskManager(settings.libClassPath(), confDir, args);
        args.addAll(List.of("-D", "metrics.reporter.prom.port=" + prometheusPort(index), "-D", "taskmanager.resource-id=" + name));
        own.forEach((key, value) -> args.addAll(List.of("-D", key + "=" + value)));
        return launch(name, flinkJvm(jvm, name), settings.libClassPath(), TASK_MANAGER_MAIN, args);
    }

    /** Uploads the job jar and runs {@code treepo job} with {@code jobArgs} from it; returns the job id. */
    public String submit(Path jobJar, List<String> jobArgs) throws IOException {
        String jar = rest.uploadJar(jobJar);
        return rest.runJar(jar, JOB_ENTRY, jobArgs);
    }

    /** Waits until the job and all its tasks run. */
    public void awaitRunning(String jobId, Duration timeout) throws IOException {
        await(() -> {
            try {
                return rest.fullyRunning(jobId);
            } catch (IOException e) {
                return false;
            }
        }, timeout, "job " + jobId + " and all its tasks RUNNING", jobManager());
    }

    public void awaitTaskManagers(int count, Duration timeout) throws IOException {
        await(() -> {
            try {
                return rest.taskManagers() == count;
            } catch (IOException e) {
                return false;
            }
        }, timeout, count + " TaskManagers registered", jobManager());
    }

    public ClusterSettings settings() {
        return settings;
    }

    public FlinkRest rest() {
        return rest;
    }

    public synchronized List<JavaProcess> processes() {
        return List.copyOf(processes);
    }

    /** TaskManagers started so far, dead ones included, in start order. */
    public synchronized List<JavaProcess> taskManagers() {
        return processes.stream().filter(p -> p.name().startsWith("taskmanager-")).toList();
    }

    /** Prometheus port of the JobManager (index 0) or of TaskManager {@code index} (1, 2, ...). */
    public synchronized int prometheusPort(int index) {
        return settings.prometheusPort() == 0 ? prometheusPorts.computeIfAbsent(index, i -> freePortUnchecked())
                : settings.prometheusPort() + index;
    }

    /**
     * Stops the processes a cluster started in {@code dir} (listed in its process list, still alive,
     * still running their main class), newest first.
     *
     * @return the processes stopped
     */
    public static List<JavaProcess> stop(Path dir) throws IOException {
        return ProcessList.stopAll(dir.resolve(STATE_FILE));
    }

    /** The processes listed in {@code dir} that are still alive. */
    public static List<JavaProcess> running(Path dir) throws IOException {
        return ProcessList.read(dir.resolve(STATE_FILE)).stream().filter(JavaProcess::alive).toList();
    }

    private JavaProcess jobManager() {
        return processes().stream().filter(p -> p.name().equals("jobmanager")).findFirst().orElse(null);
    }

    private List<String> flinkJvm(List<String> memory, String name) {
        List<String> jvm = new ArrayList<>(memory);
        jvm.addAll(FLINK_JVM_ARGS);
        jvm.addAll(DJL_JVM_ARGS);
        jvm.add("-Dlog.file=" + settings.dir().resolve("log").resolve(name + ".log"));
        jvm.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        return jvm;
    }

    private synchronized JavaProcess launch(String name, List<String> jvm, String classPath, String main, List<String> args)
            throws IOException {
        JavaProcess p = JavaProcess.start(name, jvm, classPath, main, args, settings.dir().resolve("log").resolve(name + ".out"),
                settings.lifetime());
        processes.add(p);
        ProcessList.write(settings.dir().resolve(STATE_FILE), processes);
        return p;
    }

    private void awaitTopics(JavaProcess broker, Duration timeout) throws IOException {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        props.put("default.api.timeout.ms", "3000");
        try (Admin admin = Admin.create(props)) {
            await(() -> {
                try {
                    return admin.listTopics().names().get().contains(Topics.DEFAULT_LEDGER);
                } catch (Exception e) {
                    return false;
                }
            }, timeout, "the Kafka broker at " + settings.bootstrapServers() + " with the job's topics", broker);
        }
    }

    interface Condition {
        boolean holds() throws IOException;
    }

    /** Polls until {@code condition} holds; fails at once, with the end of its log, if {@code watched} dies. */
    static void await(Condition condition, Duration timeout, String what, JavaProcess watched) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (watched != null && !watched.alive()) {
                throw new IOException(watched.name() + " (pid " + watched.pid() + ") died while waiting for " + what + "; its output: "
                        + watched.log() + "\n" + tail(watched.log(), 15));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + (watched != null ? "; see " + watched.log() : ""));
            }
            try {
                Thread.sleep(250); // another process's state (a port, a REST answer): nothing here to wait on but time
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + what, e);
            }
        }
    }

    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no output)";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static int freePortUnchecked() {
        try {
            return freePort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    /** Ends every process of this cluster: TaskManagers first, then the JobManager, then the broker. */
    @Override
    public void close() {
        List<JavaProcess> all = new ArrayList<>(processes());
        Collections.reverse(all);
        all.forEach(p -> p.stop(20));
    }
}
