package io.treepo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.treepo.kafka.EmbeddedKafkaExtension;
import io.treepo.kafka.Topics;
import io.treepo.schemas.Prompt;
import io.treepo.schemas.codec.Codecs;
import io.treepo.tasks.Task;
import io.treepo.tasks.Tasks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
}
