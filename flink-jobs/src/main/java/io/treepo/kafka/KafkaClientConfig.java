package io.treepo.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Properties for every Kafka client the job and the CLI create: the bootstrap servers plus, from an
 * optional properties file, whatever the cluster needs (security.protocol, sasl.*, ssl.* trust and
 * key stores, client.dns.lookup, ...). Values from the file pass through untouched.
 */
public final class KafkaClientConfig {
    private KafkaClientConfig() {}

    /**
     * @param bootstrapServers host:port list, required
     * @param propertiesFile a Java properties file, or null
     */
    public static Properties of(String bootstrapServers, Path propertiesFile) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("--bootstrap-servers must name at least one host:port");
        }
        Properties props = new Properties();
        if (propertiesFile != null) {
            if (!Files.isReadable(propertiesFile)) {
                throw new IllegalArgumentException("--kafka-properties: cannot read " + propertiesFile);
            }
            try (Reader reader = Files.newBufferedReader(propertiesFile)) {
                props.load(reader);
            } catch (IOException e) {
                throw new IllegalArgumentException("--kafka-properties: cannot read " + propertiesFile + ": " + e.getMessage(), e);
            }
        }
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }
}
