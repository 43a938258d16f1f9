package io.treepo.cluster;

import io.treepo.cluster.JavaProcess.Lifetime;
import java.nio.file.Path;
import java.util.Map;

/**
 * A standalone Flink cluster and a Kafka broker on this machine, each in its own JVM.
 *
 * @param dir where the cluster keeps its configuration, logs, checkpoints and process list
 * @param libClassPath the Flink processes' class path: the cluster's lib/ (cluster-lib: Flink, DJL with
 *     PyTorch's natives, log4j, the Prometheus reporter); the job brings the rest in its jar
 * @param brokerClassPath the broker's class path (the fat jar, or a test's class path): {@code treepo broker} runs there
 * @param kafkaPort the broker's client port on localhost
 * @param webBind the address the Web UI and REST API listen on
 * @param webPort the Web UI and REST port
 * @param prometheusPort the JobManager's Prometheus port; TaskManager {@code i} (1, 2, ...) takes {@code prometheusPort + i};
 *     0 picks free ports
 * @param taskManagers TaskManagers to start
 * @param slotsPerTaskManager slots of each; the job takes three (its default group, {@code rollout}, {@code trainer})
 * @param taskManagerMemoryMb each TaskManager's process size (heap, network, overhead; PyTorch's own memory comes on top)
 * @param checkpointSeconds checkpoint interval
 * @param lifetime whether the processes die with the JVM that starts them (tests) or outlive it (the command)
 * @param flinkOverrides settings over the defaults of {@link FlinkConfig}
 */
public record ClusterSettings(
        Path dir,
        String libClassPath,
        String brokerClassPath,
        int kafkaPort,
        String webBind,
        int webPort,
        int prometheusPort,
        int taskManagers,
        int slotsPerTaskManager,
        int taskManagerMemoryMb,
        int checkpointSeconds,
        Lifetime lifetime,
        Map<String, String> flinkOverrides) {

    public ClusterSettings {
        if (libClassPath == null || libClassPath.isBlank()) throw new IllegalArgumentException("libClassPath must not be blank");
        if (brokerClassPath == null || brokerClassPath.isBlank()) throw new IllegalArgumentException("brokerClassPath must not be blank");
        if (kafkaPort < 1 || kafkaPort > 65535) throw new IllegalArgumentException("kafkaPort must be in [1, 65535], got " + kafkaPort);
        if (webPort < 1 || webPort > 65535) throw new IllegalArgumentException("webPort must be in [1, 65535], got " + webPort);
        if (prometheusPort < 0 || prometheusPort > 65000) throw new IllegalArgumentException("prometheusPort must be in [0, 65000], got " + prometheusPort);
        if (taskManagers < 1) throw new IllegalArgumentException("taskManagers must be >= 1, got " + taskManagers);
        if (slotsPerTaskManager < 1) throw new IllegalArgumentException("slotsPerTaskManager must be >= 1, got " + slotsPerTaskManager);
        if (taskManagerMemoryMb < 768) throw new IllegalArgumentException("taskManagerMemoryMb must be >= 768, got " + taskManagerMemoryMb);
        if (checkpointSeconds < 1) throw new IllegalArgumentException("checkpointSeconds must be >= 1, got " + checkpointSeconds);
        flinkOverrides = Map.copyOf(flinkOverrides);
        dir = dir.toAbsolutePath();
    }

    public String webUrl() {
        return "http://" + ("0.0.0.0".equals(webBind) ? "localhost" : webBind) + ":" + webPort;
    }

    public String bootstrapServers() {
        return "localhost:" + kafkaPort;
    }
}
