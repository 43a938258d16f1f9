package io.treepo.cli;

import io.treepo.kafka.KafkaClientConfig;
import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Kafka client properties for commands: a missing or unreadable properties file is a bad argument (exit 2). */
final class CliKafka {
    private CliKafka() {}

    static Properties properties(CommandSpec spec, String bootstrapServers, Path propertiesFile) {
        try {
            return KafkaClientConfig.of(bootstrapServers, propertiesFile);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
