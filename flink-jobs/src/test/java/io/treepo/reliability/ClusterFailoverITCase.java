package io.treepo.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.treepo.cluster.ClusterSettings;
import io.treepo.cluster.JavaProcess;
import io.treepo.cluster.StandaloneCluster;
import io.treepo.jobs.TinyPolicies;
import io.treepo.kafka.KafkaClientConfig;
import io.treepo.kafka.Topics;
import io.treepo.policy.ModelFiles;
import io.treepo.schemas.LedgerEntry;
import io.treepo.schemas.Prompt;
import io.treepo.tasks.EchoTask;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on a real multi-process cluster, as {@code treepo cluster} starts it: a Kafka broker, a
 * standalone JobManager and two TaskManagers, each its own JVM; the job jar submitted through the
 * REST API. Mid-run the TaskManager holding the trainer is killed with SIGKILL and a new one is
 * started: the job restores from its last checkpoint, and the ledger shows every prompt trained
 * exactly once or dead-lettered, versions 1, 2, ... without gap or repeat; the Prometheus endpoints
 * answer with the job's metrics. The trainer is placed by configuration: only the TaskManagers that
 * declare the external resource {@value #TRAINER_RESOURCE} (as a GPU TaskManager declares "gpu") may
 * run it, before the kill and after it.
 *
 * <p>Needs the packaged job jar and cluster-lib's class path: it runs after {@code package}
 * (in every {@code mvn -B verify}, after package).
 */
class ClusterFailoverITCase {
    private static final int WAVE = 6; // two updates of three trees
    private static final String GROUP = "cluster-failover";
    private static final String TRAINER_RESOURCE = "trainer";
    /** What a TaskManager that may run the trainer adds to the cluster's configuration. */
    private static final Map<String, String> TRAINER_TASK_MANAGER = Map.of(
            "external-resources", TRAINER_RESOURCE, "external-resource." + TRAINER_RESOURCE + ".amount", "1");
    /** The job's own metrics, as the Prometheus reporter names them (README: Cluster). */
    private static final List<String> JOB_METRICS = List.of(
            "flink_taskmanager_job_task_operator_rewardMean",
            "flink_taskmanager_job_task_operator_accuracy",
            "flink_taskmanager_job_task_operator_staleness",
            "flink_taskmanager_job_task_operator_stepsApplied",
            "flink_taskmanager_job_task_operator_tokensDecoded",
            "flink_taskmanager_job_task_operator_weightSwapLatencyMs",
            "flink_taskmanager_job_task_operator_deadLetters");

    @Test
    void aTaskManagerKilledWithSigkillMidRunLosesNoPromptAndTrainsNoneTwice(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        Path model = dir.resolve("model");
        ModelFiles.save(model, new ModelFiles.Model(TinyPolicies.formatOnly(), null));
        ClusterSettings settings = new ClusterSettings(dir.resolve("cluster"), libClassPath(), testClassPath(),
                freePort(), "localhost", freePort(), 0, 1, 2, 1024, 2, JavaProcess.Lifetime.WITH_PARENT, Map.of());
        long started = System.nanoTime();
        try (StandaloneCluster cluster = StandaloneCluster.start(settings, line -> System.out.println("CLUSTER " + line))) {
            JavaProcess trainerTaskManager = cluster.startTaskManager(TRAINER_TASK_MANAGER);
            cluster.awaitTaskManagers(2, Duration.ofMinutes(2));
            LoopFixture loop = new LoopFixture(KafkaClientConfig.of(settings.bootstrapServers(), null), Topics.defaults(), GROUP);
            String job = cluster.submit(jobJar(), jobArgs(settings, model));
            cluster.awaitRunning(job, Duration.ofMinutes(2));
            System.out.printf("CLUSTER job %s running %.0f s after the start%n", job, (System.nanoTime() - started) / 1e9);

            loop.produce(wave(loop));
            loop.ledgerUntil(1, Duration.ofMinutes(2)); // a checkpoint holding trained state exists
            loop.produce(wave(loop));
            JavaProcess victim = taskManagerRunning(cluster, job, "trainer");
            assertThat(victim.name()).as("the trainer's TaskManager: the one with the resource").isEqualTo(trainerTaskManager.name());
            victim.kill9();
            JavaProcess replacement = cluster.startTaskManager(TRAINER_TASK_MANAGER);
            System.out.printf("CLUSTER killed %s (pid %d) with SIGKILL %.0f s after the start; started %s (pid %d)%n", victim.name(),
                    victim.pid(), (System.nanoTime() - started) / 1e9, replacement.name(), replacement.pid());

            List<LedgerEntry> ledger = loop.assertNothingLostNothingTwice(2 * WAVE);
            LoopFixture.assertRestoredExactly(ledger);
            assertThat(ledger.stream().filter(LedgerEntry::getApplied)).as("trained versions").isNotEmpty();
            assertThat(victim.alive()).isFalse();
            cluster.awaitRunning(job, Duration.ofMinutes(1));
            assertThat(taskManagerRunning(cluster, job, "trainer").name()).as("the trainer after the restore").isEqualTo(replacement.name());
            long restarts = cluster.rest().get("/jobs/" + job + "/exceptions").path("exceptionHistory").path("entries").size();
            assertThat(restarts).as("failures in the job's exception history").isGreaterThanOrEqualTo(1);

            String scraped = scrapeAll(cluster);
            assertThat(scraped).as("the job's metrics on the Prometheus endpoints").contains(JOB_METRICS);
            assertThat(metricValue(scraped, "flink_jobmanager_job_numRestarts")).as("restarts the JobManager reports").isGreaterThanOrEqualTo(1);
            System.out.printf("CLUSTER recovered: %d ledger entries, restarts %d, %.0f s in all%n", ledger.size(),
                    (long) metricValue(scraped, "flink_jobmanager_job_numRestarts"), (System.nanoTime() - started) / 1e9);
        }
    }

    /** "Say 5" prompts (a quarter of the warm start's answers are right) and one the validator refuses. */
    private static List<Prompt> wave(LoopFixture loop) {
        List<Prompt> prompts = new ArrayList<>(loop.prompts(WAVE + 1));
        for (Prompt p : prompts) {
            p.setTask(EchoTask.NAME);
            p.setText("Say 5\n");
            p.setReference("5");
        }
        prompts.get(WAVE).setTask("no-such-task");
        return prompts;
    }

    /** The options of LoopFixture's job, as `treepo job` takes them. */
    private static List<String> jobArgs(ClusterSettings settings, Path model) {
        return List.of("--bootstrap-servers", settings.bootstrapServers(), "--model", model.toString(), "--group-id", GROUP,
                "--checkpoint-interval", "2", "--width", "4", "--segment-tokens", "4", "--max-depth", "4", "--max-response-tokens", "12",
                "--trees-per-step", "3", "--max-staleness", "100", "--max-trees-in-flight", "4", "--cache-mb", "64",
                "--tree-timeout", "60", "--learning-rate", "1e-3", "--no-check-work", "--device", "cpu",
                "--trainer-resource", TRAINER_RESOURCE);
    }

    /** The TaskManager that runs the job vertex whose name contains {@code operator}. */
    private static JavaProcess taskManagerRunning(StandaloneCluster cluster, String job, String operator) throws IOException {
        for (JsonNode vertex : cluster.rest().get("/jobs/" + job).path("vertices")) {
            if (vertex.path("name").asText().contains(operator)) {
                JsonNode tms = cluster.rest().get("/jobs/" + job + "/vertices/" + vertex.path("id").asText() + "/taskmanagers");
                String id = tms.path("taskmanagers").path(0).path("taskmanager-id").asText();
                return cluster.taskManagers().stream().filter(p -> p.name().equals(id)).findFirst()
                        .orElseThrow(() -> new AssertionError("no TaskManager named '" + id + "' in " + tms));
            }
        }
        throw new AssertionError("no vertex named like '" + operator + "'");
    }

    /** Every live process's Prometheus page, joined. */
    private static String scrapeAll(StandaloneCluster cluster) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        StringBuilder all = new StringBuilder();
        List<JavaProcess> tms = cluster.taskManagers();
        for (int i = 0; i <= tms.size(); i++) {
            if (i > 0 && !tms.get(i - 1).alive()) {
                continue;
            }
            URI uri = URI.create("http://localhost:" + cluster.prometheusPort(i) + "/metrics");
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(uri.toString()).isEqualTo(200);
            all.append(answer.body());
        }
        return all.toString();
    }

    private static double metricValue(String scraped, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*} ([-+0-9.eE]+)$").matcher(scraped);
        assertThat(m.find()).as(name + " on the JobManager's endpoint").isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static String libClassPath() throws IOException {
        Path file = Path.of("..", "cluster-lib", "target", "lib-classpath.txt");
        assertThat(file).as("cluster-lib's class path (built by mvn package)").exists();
        return Files.readString(file).strip();
    }

    /** The broker runs `treepo broker` on this test's class path (surefire's java.class.path is only its booter jar). */
    private static String testClassPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    private static Path jobJar() {
        Path jar = Path.of("target", "treepo-job.jar").toAbsolutePath();
        assertThat(jar).as("the job jar (built by mvn package)").exists();
        return jar;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
