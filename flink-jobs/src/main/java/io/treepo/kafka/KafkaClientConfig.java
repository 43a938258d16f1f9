package io.treepo.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Properties for every Kafka client the job and the CLI create: the bootstrap servers plus, from an
 * optional properties file, whatever the cluster needs (security.protocol, sasl.*, ssl.* trust and
 * key stores, client.dns.lookup, ...). Values from the file pass through untouched.
 */
public final class KafkaClientConfig {
    private KafkaClientConfig() {}

    /**
     * Fails with one clear sentence when no broker answers at the bootstrap address within
     * {@code timeout}, instead of letting each client block and retry on its own.
     */
    public static void requireReachable(Properties props, Duration timeout) {
        Properties quick = new Properties();
        quick.putAll(props);
        quick.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        quick.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        Admin admin = Admin.create(quick);
        try {
            admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to Kafka", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + props.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)
                    + " within " + timeout.toSeconds() + " s (is the broker running? try ./treepo broker)", e);
        } finally {
            admin.close(Duration.ZERO);
        }
    }

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
