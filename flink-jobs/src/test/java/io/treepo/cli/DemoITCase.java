package io.treepo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.treepo.kafka.Topics;
import io.treepo.policy.ByteTokenizer;
import io.treepo.policy.EncodedWeights;
import io.treepo.policy.ModelConfig;
import io.treepo.policy.ModelFiles;
import io.treepo.policy.PolicyTrainer;
import io.treepo.policy.TrainerConfig;
import io.treepo.schemas.PolicyWeights;
import io.treepo.schemas.codec.Codecs;
import io.treepo.schemas.weights.WeightsChunks;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code treepo demo} as a user runs it (a tiny model stands in for the pretrained one): Web UI up,
 * the job graph and its metrics there as a user sees them, report left behind.
 */
class DemoITCase {
    /** Operators a user looks for in the Web UI's job graph, by the names the job gives them. */
    static final List<String> OPERATORS = List.of("prompts", "validate prompts", "dead letters", "assemble weights", "tree rollout",
            "reward", "tree window", "trainer", "publish weights", "ledger", "held-out accuracy");

    /** The job's own metrics (README: "The job's metrics"), each a number once the loop runs. */
    static final List<String> METRICS = List.of("rewardMean", "heldOutAccuracy", "tokensPerSecond", "weightSwapLatencyMs",
            "staleness", "deadLetters");

    @Test
    void demoRunsWithTheWebUiAndLeavesAReport(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model");
        EncodedWeights warmStart;
        try (PolicyTrainer trainer = PolicyTrainer.create(ModelConfig.tiny(), TrainerConfig.defaults(), new ByteTokenizer(), "cpu", 3)) {
            warmStart = trainer.weights();
            ModelFiles.save(model, new ModelFiles.Model(warmStart, null));
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path report = dir.resolve("report");
        AtomicReference<String> jobsSeen = new AtomicReference<>("");
        Map<String, String> vertices = new ConcurrentHashMap<>();
        Map<String, Double> metrics = new ConcurrentHashMap<>();
        ScheduledExecutorService watcher = watchWebUi(port, jobsSeen, vertices, metrics);
        CommandLine cli = TreepoCommand.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        ExecutorService demo = Executors.newSingleThreadExecutor();
        Future<Integer> exit = demo.submit(() -> cli.execute("demo", "--minutes", "0.4", "--web-port", Integer.toString(port),
                "--model", model.toString(), "--report-dir", report.toString(), "--task", "echo",
                "--width", "4", "--segment-tokens", "4", "--max-response-tokens", "12", "--trees-per-step", "2",
                "--checkpoint-interval", "5", "--eval-prompts", "10", "--eval-every", "5"));
        // A random tiny policy earns no reward, so its trainer publishes no version and no dead letter comes by
        // itself: the test sends a prompt that is not one, and the warm start again as version 1, as a trainer would.
        String bootstrap = awaitLine(out, "Kafka \\(embedded\\): (\\S+)");
        awaitLine(out, "Job (\\S+) running");
        injectOneDeadLetterAndOneVersion(bootstrap, warmStart);
        CommandLineTest.Run run = new CommandLineTest.Run(exit.get(3, TimeUnit.MINUTES), out.toString(), err.toString());
        demo.shutdown();
        watcher.shutdownNow();

        assertEquals(0, run.exitCode(), run.err());
        assertThat(run.out().lines().findFirst().orElseThrow()).isEqualTo("Flink Web UI: http://localhost:" + port);
        assertThat(run.out()).contains("batch    1  step");
        assertThat(jobsSeen.get()).as("the Web UI listed the running job").contains("\"name\":\"treepo demo\"").contains("RUNNING");
        System.out.println("WEBUI vertices " + vertices.values() + "; metrics " + metrics);
        List<String> operators = vertices.values().stream().flatMap(name -> operatorNames(name).stream()).toList();
        assertThat(operators).as("operators of the job graph's vertices " + vertices.values()).containsAll(OPERATORS);
        assertThat(metrics.keySet()).as("live values of the job's metrics").containsAll(METRICS);
        assertThat(metrics.get("tokensPerSecond")).as("the rollout decodes").isPositive();
        assertThat(metrics.get("heldOutAccuracy")).isBetween(0.0, 1.0);
        assertThat(metrics.get("rewardMean")).isBetween(0.0, 1.0);
        assertThat(metrics.get("weightSwapLatencyMs")).as("version 1 swapped in (-1 before)").isNotNegative();
        assertThat(metrics.get("staleness")).isNotNegative();
        assertThat(metrics.get("deadLetters")).isEqualTo(1.0);
        List<String> csv = Files.readAllLines(report.resolve("metrics.csv"));
        assertThat(csv.get(0)).startsWith("batch,time_s,step,version");
        assertThat(csv).hasSizeGreaterThan(1);
        assertThat(run.out()).contains("held-out accuracy of version 0:");
        List<String> heldOut = Files.readAllLines(report.resolve("heldout.csv"));
        assertThat(heldOut.get(0)).isEqualTo("version,time_s,cumulative_sampled_tokens,heldout_accuracy,heldout_worked_share");
        assertThat(heldOut.get(1)).as("the warm start is scored first").startsWith("0,");
        for (String plot : List.of("reward_vs_step.png", "reward_vs_tokens.png", "entropy_vs_step.png", "heldout_vs_step.png", "heldout_vs_tokens.png")) {
            assertThat(Files.size(report.resolve(plot))).as(plot).isGreaterThan(1000);
        }
        assertThat(Files.readString(report.resolve("summary.txt"))).contains("rollout decode:", "held-out accuracy (greedy):");
    }

    /**
     * Reads the Web UI's REST API twice a second, as the UI does: the job list (the last answer that
     * shows a running job), the running job's vertices by name, and the largest number seen of each of
     * {@link #METRICS} (NaN, the trainer's value before its first update, does not count).
     */
    private static ScheduledExecutorService watchWebUi(int port, AtomicReference<String> jobsSeen, Map<String, String> vertices,
            Map<String, Double> metrics) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        ObjectMapper json = new ObjectMapper();
        String base = "http://localhost:" + port;
        ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
        watcher.scheduleWithFixedDelay(() -> {
            try {
                String body = get(http, base + "/jobs/overview");
                if (!body.contains("RUNNING")) {
                    return;
                }
                jobsSeen.set(body);
                for (JsonNode job : json.readTree(body).get("jobs")) {
                    if (!job.get("state").asText().equals("RUNNING")) continue;
                    String jobUrl = base + "/jobs/" + job.get("jid").asText();
                    for (JsonNode vertex : json.readTree(get(http, jobUrl)).get("vertices")) {
                        String vertexUrl = jobUrl + "/vertices/" + vertex.get("id").asText();
                        vertices.put(vertex.get("id").asText(), vertex.get("name").asText());
                        List<String> wanted = new java.util.ArrayList<>();
                        for (JsonNode metric : json.readTree(get(http, vertexUrl + "/metrics"))) {
                            String id = metric.get("id").asText();
                            if (METRICS.stream().anyMatch(name -> id.endsWith("." + name))) wanted.add(id);
                        }
                        if (wanted.isEmpty()) continue;
                        String query = URLEncoder.encode(String.join(",", wanted), StandardCharsets.UTF_8);
                        for (JsonNode metric : json.readTree(get(http, vertexUrl + "/metrics?get=" + query))) {
                            String id = metric.get("id").asText();
                            double value = Double.parseDouble(metric.get("value").asText());
                            // the largest over subtasks and time: a subtask that has not decoded yet reads 0
                            if (!Double.isNaN(value)) metrics.merge(id.substring(id.lastIndexOf('.') + 1), value, Math::max);
                        }
                    }
                }
            } catch (Exception e) {
                // the UI is not up yet, or already gone
            }
        }, 0, 500, TimeUnit.MILLISECONDS);
        return watcher;
    }

    /** The operators a vertex name lists: "Source: prompts -> validate prompts" holds "prompts" and "validate prompts". */
    static List<String> operatorNames(String vertexName) {
        return java.util.Arrays.stream(vertexName.split("\\s*->\\s*|,\\s*|\\(|\\)"))
                .map(String::strip)
                .map(name -> name.replaceFirst("^Source: ", "").replaceFirst(": (Writer|Committer)$", ""))
                .filter(name -> !name.isEmpty())
                .toList();
    }

    /** Waits for a line of the demo's output and returns the pattern's first group. */
    private static String awaitLine(StringWriter out, String pattern) throws InterruptedException {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(pattern);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            java.util.regex.Matcher m = p.matcher(out.toString());
            if (m.find()) return m.group(1);
            Thread.sleep(100);
        }
        throw new AssertionError("the demo never printed /" + pattern + "/:\n" + out);
    }

    private static void injectOneDeadLetterAndOneVersion(String bootstrap, EncodedWeights weights) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.DEFAULT_PROMPTS, "not a prompt".getBytes(StandardCharsets.UTF_8))).get();
            for (PolicyWeights chunk : WeightsChunks.split(1, 1, weights.config().toJson(), weights.payload(), 1 << 20,
                    System.currentTimeMillis())) {
                raw.send(new ProducerRecord<>(Topics.DEFAULT_WEIGHTS, ("chunk-" + chunk.getChunkIndex()).getBytes(StandardCharsets.UTF_8),
                        Codecs.POLICY_WEIGHTS.encode(chunk))).get();
            }
        }
    }

    private static String get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
