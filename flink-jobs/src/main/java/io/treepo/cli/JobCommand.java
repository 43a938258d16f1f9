package io.treepo.cli;

import io.treepo.jobs.JobConfig;
import io.treepo.jobs.TreepoJob;
import io.treepo.kafka.KafkaClientConfig;
import io.treepo.policy.ModelFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
        name = "job",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs the streaming RL job against a real Kafka, on a Flink cluster (flink run).",
            "",
            "The same job as the demo. Run it through Flink's client, which supplies the cluster:",
            "  flink run -c io.treepo.cli.TreepoCommand flink-jobs/target/treepo.jar job --bootstrap-servers kafka:9092 --model /models/base",
            "Without a cluster (plain java -jar) it runs on a local MiniCluster. Checkpointing, state backend and",
            "restart strategy come from the cluster's configuration; --checkpoint-interval sets the interval."
        })
final class JobCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--kafka-properties", paramLabel = "FILE",
            description = "Extra Kafka client properties (security.protocol, sasl.*, ssl.*) for every client of the job.")
    Path kafkaProperties;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Warm-start policy (a folder written by `treepo pretrain`); read here and shipped with the job.")
    Path model;

    @Option(names = "--checkpoint-interval", paramLabel = "SECONDS", defaultValue = "30",
            description = "Checkpoint interval. Default: ${DEFAULT-VALUE}.")
    int checkpointSeconds;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "treepo", description = "Job name. Default: ${DEFAULT-VALUE}.")
    String name;

    @Mixin
    LoopOptions loop;

    @Mixin
    PlacementOptions placement;

    @Override
    public Integer call() throws Exception {
        loop.validate(spec);
        ModelFiles.Model weights = CliModels.load(spec, model);
        Properties kafka = CliKafka.properties(spec, bootstrapServers, kafkaProperties);
        JobConfig config;
        try {
            config = loop.toJobConfig(kafka, weights, null).withPlacement(placement.toPlacement());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        KafkaClientConfig.requireReachable(kafka, Duration.ofSeconds(10));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(Duration.ofSeconds(checkpointSeconds).toMillis());
        // Job-level half of Backlog's settings; buffer debloating is the cluster's (README: Reliability).
        Configuration unaligned = new Configuration();
        unaligned.setString("execution.checkpointing.unaligned.enabled", "true");
        env.configure(unaligned);
        TreepoJob.build(env, config);
        spec.commandLine().getOut().println("Submitting job '" + name + "' (Kafka " + bootstrapServers + ") ...");
        spec.commandLine().getOut().flush();
        env.execute(name);
        return 0;
    }
}
