package io.treepo.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.treepo.cluster.JavaProcess.Lifetime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pieces of the multi-process cluster that need no process: its configuration, its process list, its settings' checks. */
class StandaloneClusterTest {

    private static ClusterSettings settings(Path dir, Map<String, String> overrides) {
        return new ClusterSettings(dir, "lib.jar", "broker.jar", 9092, "localhost", 8081, 9249, 2, 2, 1536, 10, Lifetime.WITH_PARENT, overrides);
    }

    @Test
    void theConfigurationTurnsOnPrometheusQuickFailureDetectionAndTheBacklogSettings(@TempDir Path dir) throws Exception {
        Map<String, String> conf = FlinkConfig.settings(settings(dir, Map.of("heartbeat.timeout", "20000")), 6123);
        assertThat(conf).containsEntry("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                .containsEntry("jobmanager.rpc.port", "6123")
                .containsEntry("rest.port", "8081")
                .containsEntry("taskmanager.numberOfTaskSlots", "2")
                .containsEntry("execution.checkpointing.unaligned.enabled", "true")
                .containsEntry("taskmanager.network.memory.buffer-debloat.enabled", "true")
                .containsEntry("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString())
                .containsEntry("heartbeat.timeout", "20000"); // the override wins
        FlinkConfig.write(dir.resolve("conf"), conf);
        assertThat(Files.readAllLines(dir.resolve("conf/config.yaml"))).contains("rest.port: '8081'");
        assertThat(dir.resolve("conf/log4j.properties")).content().contains("${sys:log.file}");
    }

    @Test
    void theProcessListRoundTripsAndAPidThatRunsAnotherProgramIsNotOurs(@TempDir Path dir) throws Exception {
        JavaProcess self = new JavaProcess("test", ProcessHandle.current().pid(), "no.such.MainClass", dir.resolve("test.out"));
        ProcessList.write(dir.resolve(StandaloneCluster.STATE_FILE), List.of(self));
        assertThat(ProcessList.read(dir.resolve(StandaloneCluster.STATE_FILE))).containsExactly(self);
        // this JVM is alive but does not run that main class: stop must leave it alone
        assertThat(self.alive()).isFalse();
        assertThat(StandaloneCluster.stop(dir)).isEmpty();
        assertThat(dir.resolve(StandaloneCluster.STATE_FILE)).doesNotExist();
    }

    @Test
    void settingsNameTheBadValue(@TempDir Path dir) {
        assertThatThrownBy(() -> new ClusterSettings(dir, "lib.jar", "broker.jar", 9092, "localhost", 8081, 9249, 0, 2, 1536, 10,
                Lifetime.WITH_PARENT, Map.of())).hasMessage("taskManagers must be >= 1, got 0");
        assertThat(settings(dir, Map.of()).webUrl()).isEqualTo("http://localhost:8081");
        assertThat(settings(dir, Map.of()).bootstrapServers()).isEqualTo("localhost:9092");
    }
}
