package io.treepo.jobs;

import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** A Flink cluster inside this JVM (a MiniCluster) with the Web UI, checkpoints and restarts on, for the one-machine run. */
public final class LocalCluster {
    private LocalCluster() {}

    /** @param checkpointDir where checkpoints go (the demo keeps them in its report folder) */
    public static StreamExecutionEnvironment withWebUi(String bindAddress, int port, int checkpointSeconds, Path checkpointDir, int rolloutParallelism) {
        Configuration conf = new Configuration();
        conf.setString("rest.bind-address", bindAddress);
        conf.setString("rest.address", "0.0.0.0".equals(bindAddress) ? "localhost" : bindAddress);
        conf.setString("rest.port", Integer.toString(port));
        // rollout, trainer and the shared default group each need their own slots
        conf.setString("taskmanager.numberOfTaskSlots", Integer.toString(rolloutParallelism + 2));
        conf.setString("execution.checkpointing.interval", checkpointSeconds + " s");
        conf.setString("execution.checkpointing.dir", checkpointDir.toAbsolutePath().toUri().toString());
        conf.setString("execution.checkpointing.num-retained", "2");
        Backlog.configure(conf);
        conf.setString("state.backend.type", "hashmap");
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "10");
        conf.setString("restart-strategy.fixed-delay.delay", "2 s");
        // the Web UI's metrics follow a run whose versions come every second or so (Flink's default: every 10 s)
        conf.setString("metrics.fetcher.update-interval", "2 s");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        env.setParallelism(1);
        return env;
    }
}
