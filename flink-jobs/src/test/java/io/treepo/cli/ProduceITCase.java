package io.treepo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.treepo.kafka.EmbeddedKafkaExtension;
import io.treepo.kafka.PromptProducer;
import io.treepo.kafka.TaskPrompts;
import io.treepo.kafka.Topics;
import io.treepo.schemas.Prompt;
import io.treepo.schemas.codec.Codecs;
import io.treepo.tasks.Task;
import io.treepo.tasks.Tasks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code treepo produce} into a real (embedded) broker, read back with a plain consumer. */
class ProduceITCase {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    static List<Prompt> readAll(String topic, int expected) {
        List<ConsumerRecord<String, Prompt>> records =
                KAFKA.readUntil(topic, Codecs.PROMPT, r -> r.size() >= expected, Duration.ofSeconds(30));
        records.forEach(record -> assertEquals(record.key(), record.value().getId()));
        return records.stream().map(ConsumerRecord::value).toList();
    }

    @Test
    void generatedPromptsArriveIntact() {
        CommandLineTest.Run run = CommandLineTest.run("produce", "--bootstrap-servers", KAFKA.kafka().bootstrapServers(),
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
        try (var admin = KAFKA.kafka().admin()) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1))).all().get();
        }
        CommandLineTest.Run run = CommandLineTest.run("produce", "--bootstrap-servers", KAFKA.kafka().bootstrapServers(),
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

    @Test
    void aMissingTopicIsRefusedAtOnceInOneLineSayingHowToCreateIt() {
        long start = System.nanoTime();
        CommandLineTest.Run run = CommandLineTest.run("produce", "--bootstrap-servers", KAFKA.kafka().bootstrapServers(),
                "--topic", "my.prompts", "--task", "arithmetic", "--count", "100");
        double seconds = (System.nanoTime() - start) / 1e9;

        assertEquals(1, run.exitCode(), run.out());
        assertThat(run.err().lines().toList()).hasSize(1);
        assertThat(run.err()).startsWith("error: topic my.prompts does not exist at " + KAFKA.kafka().bootstrapServers())
                .contains("--create-topic");
        assertThat(run.out()).doesNotContain("sent");
        // it was 15 s of metadata timeout per record (25 minutes for 100)
        assertThat(seconds).isLessThan(10);
    }

    @Test
    void createTopicMakesAMissingTopicWithThePartitionsAsked() throws Exception {
        String topic = "new.prompts";
        CommandLineTest.Run run = CommandLineTest.run("produce", "--bootstrap-servers", KAFKA.kafka().bootstrapServers(),
                "--topic", topic, "--create-topic", "--partitions", "3", "--task", "echo", "--count", "20");

        assertEquals(0, run.exitCode(), run.err());
        assertThat(run.out()).contains("Created topic new.prompts with 3 partitions").contains("Done: sent 20, failed 0");
        try (var admin = KAFKA.kafka().admin()) {
            assertEquals(3, admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size());
        }
        assertEquals(20, readAll(topic, 20).size());

        CommandLineTest.Run again = CommandLineTest.run("produce", "--bootstrap-servers", KAFKA.kafka().bootstrapServers(),
                "--topic", topic, "--create-topic", "--task", "echo", "--count", "5");
        assertEquals(0, again.exitCode(), again.err());
        assertThat(again.out()).as("an existing topic is used as it is").doesNotContain("Created topic");
    }

    @Test
    void theFirstFailureThatWouldRepeatStopsTheProducer() {
        Properties props = KAFKA.kafka().clientProperties();
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "300"); // the metadata wait for the missing topic
        TaskPrompts prompts = new TaskPrompts(Tasks.byName("echo"), Task.Split.TRAIN, 0, 5);
        try (PromptProducer producer = new PromptProducer(props, "deleted.prompts", 0, p -> {})) {
            producer.send(prompts.next());
            assertThrows(PromptProducer.Stopped.class, () -> producer.send(prompts.next()));
            PromptProducer.Result result = producer.finish();
            assertEquals(1, result.failed());
            assertThat(result.firstError()).contains("deleted.prompts");
        }
    }
}
