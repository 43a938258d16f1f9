package io.treepo.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The configuration directory of the local standalone cluster: Flink's {@code config.yaml} and a
 * log4j configuration that writes each process's log to the file the Web UI shows.
 */
final class FlinkConfig {
    static final String REPORTER_FACTORY = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

    private FlinkConfig() {}

    /** The cluster's settings, flat keys (Flink reads them as they are from config.yaml). */
    static Map<String, String> settings(ClusterSettings s, int rpcPort) {
        Map<String, String> conf = new TreeMap<>();
        conf.put("jobmanager.rpc.address", "localhost");
        conf.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        conf.put("jobmanager.bind-host", "localhost");
        conf.put("jobmanager.memory.process.size", "1024m");
        conf.put("taskmanager.bind-host", "localhost");
        conf.put("taskmanager.host", "localhost");
        conf.put("taskmanager.numberOfTaskSlots", Integer.toString(s.slotsPerTaskManager()));
        conf.put("taskmanager.memory.process.size", s.taskManagerMemoryMb() + "m");
        // the job keeps its state on the heap (hashmap backend): no managed memory to reserve
        conf.put("taskmanager.memory.managed.size", "0m");
        conf.put("parallelism.default", "1");
        conf.put("rest.address", "0.0.0.0".equals(s.webBind()) ? "localhost" : s.webBind());
        conf.put("rest.bind-address", s.webBind());
        conf.put("rest.port", Integer.toString(s.webPort()));
        conf.put("web.upload.dir", s.dir().resolve("uploads").toString());
        conf.put("io.tmp.dirs", s.dir().resolve("tmp").toString());
        conf.put("state.backend.type", "hashmap");
        conf.put("execution.checkpointing.interval", s.checkpointSeconds() + " s");
        conf.put("execution.checkpointing.dir", s.dir().resolve("checkpoints").toUri().toString());
        conf.put("execution.checkpointing.savepoint-dir", s.dir().resolve("savepoints").toUri().toString());
        conf.put("execution.checkpointing.num-retained", "2");
        conf.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        // what Backlog sets for the one-JVM run (README: Reliability)
        conf.put("execution.checkpointing.unaligned.enabled", "true");
        conf.put("taskmanager.network.memory.buffer-debloat.enabled", "true");
        conf.put("restart-strategy.type", "fixed-delay");
        conf.put("restart-strategy.fixed-delay.attempts", "1000");
        conf.put("restart-strategy.fixed-delay.delay", "2 s");
        // a TaskManager killed with -9 answers no heartbeat: notice within seconds, not the default 50
        conf.put("heartbeat.interval", "2000");
        conf.put("heartbeat.timeout", "10000");
        // spread slots over the TaskManagers (also what leaves room for a group placed by resource)
        conf.put("taskmanager.load-balance.mode", "SLOTS");
        conf.put("metrics.reporter.prom.factory.class", REPORTER_FACTORY);
        conf.putAll(s.flinkOverrides());
        return conf;
    }

    static void write(Path confDir, Map<String, String> settings) throws IOException {
        Files.createDirectories(confDir);
        StringBuilder yaml = new StringBuilder("# Written by `treepo cluster`; regenerated on every start.\n");
        settings.forEach((k, v) -> yaml.append(k).append(": '").append(v.replace("'", "''")).append("'\n"));
        Files.writeString(confDir.resolve("config.yaml"), yaml);
        Files.writeString(confDir.resolve("log4j.properties"), LOG4J);
    }

    /** Flink's own log4j.properties, shortened: INFO to the file named by -Dlog.file, which the Web UI serves. */
    private static final String LOG4J = """
            rootLogger.level = INFO
            rootLogger.appenderRef.file.ref = MainAppender
            appender.main.name = MainAppender
            appender.main.type = File
            appender.main.append = true
            appender.main.fileName = ${sys:log.file}
            appender.main.layout.type = PatternLayout
            appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
            logger.kafka.name = org.apache.kafka
            logger.kafka.level = WARN
            logger.djl.name = ai.djl
            logger.djl.level = WARN
            logger.pekko.name = org.apache.pekko
            logger.pekko.level = INFO
            """;
}
