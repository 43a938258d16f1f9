package io.treepo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.treepo.policy.ByteTokenizer;
import io.treepo.policy.ModelConfig;
import io.treepo.policy.ModelFiles;
import io.treepo.policy.PolicyTrainer;
import io.treepo.policy.TrainerConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code treepo demo} as a user runs it (a tiny model stands in for the pretrained one): Web UI up, report left behind. */
class DemoITCase {

    @Test
    void demoRunsWithTheWebUiAndLeavesAReport(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model");
        try (PolicyTrainer trainer = PolicyTrainer.create(ModelConfig.tiny(), TrainerConfig.defaults(), new ByteTokenizer(), "cpu", 3)) {
            ModelFiles.save(model, new ModelFiles.Model(trainer.weights(), null));
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path report = dir.resolve("report");
        AtomicReference<String> jobsSeen = new AtomicReference<>("");
        ScheduledExecutorService watcher = watchWebUi(port, jobsSeen);
        CommandLineTest.Run run = CommandLineTest.run("demo", "--minutes", "0.4", "--web-port", Integer.toString(port),
                "--model", model.toString(), "--report-dir", report.toString(), "--task", "echo",
                "--width", "4", "--segment-tokens", "4", "--max-response-tokens", "12", "--trees-per-step", "2",
                "--checkpoint-interval", "5", "--eval-prompts", "10", "--eval-every", "5");
        watcher.shutdownNow();

        assertEquals(0, run.exitCode(), run.err());
        assertThat(run.out().lines().findFirst().orElseThrow()).isEqualTo("Flink Web UI: http://localhost:" + port);
        assertThat(run.out()).contains("batch    1  step");
        assertThat(jobsSeen.get()).as("the Web UI listed the running job").contains("\"name\":\"treepo demo\"").contains("RUNNING");
        List<String> csv = Files.readAllLines(report.resolve("metrics.csv"));
        assertThat(csv.get(0)).startsWith("batch,time_s,step,version");
        assertThat(csv).hasSizeGreaterThan(1);
        assertThat(run.out()).contains("held-out accuracy of version 0:");
        List<String> heldOut = Files.readAllLines(report.resolve("heldout.csv"));
        assertThat(heldOut.get(0)).isEqualTo("version,time_s,cumulative_sampled_tokens,heldout_accuracy");
        // a random tiny policy never earns a reward, so no version may follow the warm start's
        assertThat(heldOut.get(1)).as("the warm start is scored first").startsWith("0,");
        for (String plot : List.of("reward_vs_step.png", "reward_vs_tokens.png", "entropy_vs_step.png", "heldout_vs_step.png", "heldout_vs_tokens.png")) {
            assertThat(Files.size(report.resolve(plot))).as(plot).isGreaterThan(1000);
        }
        assertThat(Files.readString(report.resolve("summary.txt"))).contains("rollout decode:", "held-out accuracy (greedy):");
    }

    /** Asks the Web UI for its job list twice a second; keeps the last answer that shows a running job. */
    private static ScheduledExecutorService watchWebUi(int port, AtomicReference<String> seen) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/jobs/overview")).build();
        ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
        watcher.scheduleWithFixedDelay(() -> {
            try {
                String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
                if (body.contains("RUNNING")) {
                    seen.set(body);
                }
            } catch (Exception e) {
                // the UI is not up yet, or already gone
            }
        }, 0, 500, TimeUnit.MILLISECONDS);
        return watcher;
    }
}
