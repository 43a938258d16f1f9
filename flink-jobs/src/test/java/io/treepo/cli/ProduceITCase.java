package io.treepo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.treepo.kafka.EmbeddedKafka;
import io.treepo.kafka.Topics;
import io.treepo.schemas.Prompt;
import io.treepo.schemas.codec.AvroDeserializer;
import io.treepo.schemas.codec.Codecs;
import io.treepo.tasks.Task;
import io.treepo.tasks.Tasks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code treepo produce} into a real (embedded) broker, read back with a plain consumer. */
class ProduceITCase {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start(0);
        kafka.createTopics(Topics.defaults(), 2);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        kafka.close();
    }

    static List<Prompt> readAll(String topic, int expected) {
        Properties props = kafka.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + topic + "-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<Prompt> prompts = new ArrayList<>();
        try (KafkaConsumer<String, Prompt> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new AvroDeserializer<>(Codecs.PROMPT))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (prompts.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, Prompt> record : consumer.poll(Duration.ofMillis(200))) {
                    assertEquals(record.key(), record.value().getId());
                    prompts.add(record.value());
                }
            }
        }
        return prompts;
    }

    @Test
    void generatedPromptsArriveIntact() {
        CommandLineTest.Run run = CommandLineTest.run("produce", "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic", Topics.DEFAULT_PROMPTS, "--task", "arithmetic", "--count", "50", "--seed", "7");
        assertEquals(0, run.exitCode(), run.err());
        assertThat(run.out()).contains("Done: sent 50, failed 0");

        List<Prompt> read = readAll(Topics.DEFAULT_PROMPTS, 50);
        assertEquals(50, read.size());
        Task task = Tasks.byName("arithmetic");
        for (Prompt prompt : read) {
            long seed = Long.parseLong(prompt.getMetadata().get("seed"));
            Task.Problem problem = task.generate(seed, Task.Split.TRAIN);
            assertEquals("arithmetic-" + seed, prompt.getId());
            assertEquals(problem.prompt(), prompt.getText());
            assertEquals(problem.reference(), prompt.getReference());
        }
        assertThat(read.stream().map(Prompt::getId).distinct().count()).isEqualTo(50);
    }

    @Test
    void jsonlPromptsArriveAndBadLinesAreCounted(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"question\": \"Tom has 3 apples and buys 4 more. How many?\", \"answer\": \"3+4=7\\n#### 7\"}",
                "{\"question\": \"broken",
                "{\"problem\": \"What is $\\\\frac{1}{2}+\\\\frac{1}{4}$?\", \"solution\": \"It is $\\\\boxed{\\\\frac{3}{4}}$.\"}",
                "{\"prompt\": \"no answer field\"}",
                ""));
        String topic = "jsonl-prompts";
        try (var admin = kafka.admin()) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1))).all().get();
        }
        CommandLineTest.Run run = CommandLineTest.run("produce", "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic", topic, "--jsonl", file.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertThat(run.out()).contains("Done: sent 2, failed 0");
        assertThat(run.err()).contains("data.jsonl:2:").contains("data.jsonl:4:").contains("2 bad lines skipped");

        List<Prompt> read = readAll(topic, 2);
        assertEquals(2, read.size());
        assertEquals("7", read.get(0).getReference());
        assertEquals("gsm8k", read.get(0).getTask());
        assertEquals("\\frac{3}{4}", read.get(1).getReference());
        assertEquals("math", read.get(1).getTask());
    }
}
