package io.treepo.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.treepo.kafka.KafkaClientConfig;
import io.treepo.kafka.Topics;
import io.treepo.policy.SamplingConfig;
import io.treepo.policy.TrainerConfig;
import io.treepo.rollout.operator.RolloutConfig;
import io.treepo.rollout.sampler.TreeConfig;
import io.treepo.trainer.Estimator;
import io.treepo.trainer.PpoConfig;
import io.treepo.trainer.operator.TrainerSettings;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.SinkTransformation;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Security settings from a properties file reach every Kafka client of the job graph, untouched. */
class KafkaPropertiesPassThroughTest {
    private static final Map<String, String> SECURITY = Map.of(
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";",
            "ssl.truststore.location", "/etc/kafka/truststore.jks",
            "ssl.truststore.password", "secret",
            "ssl.keystore.location", "/etc/kafka/keystore.jks");

    @Test
    void everySourceAndSinkOfTheJobGetsTheFilesProperties(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        StringBuilder text = new StringBuilder();
        SECURITY.forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        Files.writeString(file, text);
        Properties props = KafkaClientConfig.of("kafka-1:9093,kafka-2:9093", file);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TreepoJob.build(env, config(props));

        List<Properties> clients = new ArrayList<>();
        int sources = 0;
        int sinks = 0;
        for (Transformation<?> t : allTransformations(env)) {
            if (t instanceof SourceTransformation<?, ?, ?> source && source.getSource() instanceof KafkaSource<?> kafka) {
                clients.add((Properties) field(kafka, "props"));
                sources++;
            } else if (t instanceof SinkTransformation<?, ?> sink && sink.getSink() instanceof KafkaSink<?> kafka) {
                clients.add((Properties) field(kafka, "kafkaProducerConfig"));
                sinks++;
            }
        }
        assertThat(sources).as("Kafka sources: prompts, weights, metrics (for the held-out accuracy metric)").isEqualTo(3);
        assertThat(sinks).as("Kafka sinks: dead letters, rollout metrics, leaves, weights, metrics, ledger").isEqualTo(6);
        for (Properties client : clients) {
            assertThat(client.getProperty("bootstrap.servers")).isEqualTo("kafka-1:9093,kafka-2:9093");
            SECURITY.forEach((key, value) -> assertThat(client.getProperty(key)).as(key).isEqualTo(value));
        }
    }

    private static Set<Transformation<?>> allTransformations(StreamExecutionEnvironment env) {
        Set<Transformation<?>> all = new LinkedHashSet<>();
        for (Transformation<?> t : env.getTransformations()) {
            all.addAll(t.getTransitivePredecessors());
        }
        return all;
    }

    private static Object field(Object target, String name) throws ReflectiveOperationException {
        Field field = target.getClass().getDeclaredField(name);
        field.setAccessible(true);
        return field.get(target);
    }

    static JobConfig config(Properties props) {
        byte[] weights = TreepoJobITCase.tinyInitialWeights();
        TreeConfig tree = TreeConfig.builder().width(2).segmentTokens(4).maxDepth(2).maxResponseTokens(8).sampling(SamplingConfig.standard()).build();
        TrainerSettings trainer = new TrainerSettings(Estimator.TREE_AVERAGE, PpoConfig.defaults(), 4, false, 64,
                TrainerConfig.defaults(), weights, 2, 4096, "cpu");
        return new JobConfig(props, Topics.defaults(), "g", 1, new RolloutConfig(tree, 2, weights, 1 << 20, 1, "cpu"), trainer, 1,
                Duration.ofSeconds(1), Duration.ofSeconds(1), 100);
    }
}
