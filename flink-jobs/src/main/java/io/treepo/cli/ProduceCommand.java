package io.treepo.cli;

import io.treepo.kafka.KafkaClientConfig;
import io.treepo.kafka.PromptProducer;
import io.treepo.kafka.TaskPrompts;
import io.treepo.kafka.TopicCheck;
import io.treepo.kafka.Topics;
import io.treepo.tasks.Task;
import io.treepo.tasks.Tasks;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalInt;
import java.util.Properties;
import io.treepo.kafka.DatasetPrompts;
import io.treepo.tasks.DatasetError;
import io.treepo.tasks.JsonlDataset;
import io.treepo.tasks.JsonlFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = {
            "Writes prompts to a Kafka topic as Avro records (single-object encoding), keyed by prompt id.",
            "Prompts come from a built-in task generator or from a JSONL dataset (GSM8K, MATH or prompt/answer lines).",
            "The topic must exist (`treepo broker` creates treepo.prompts) unless --create-topic is given. The first",
            "failure that every later record would meet too (topic deleted, not authorised, broker gone) stops the run."
        },
        footer = {"", "Examples:",
            "  treepo produce --bootstrap-servers localhost:9092 --task arithmetic --count 1000 --seed 1",
            "  treepo produce --bootstrap-servers localhost:9092 --topic my.prompts --create-topic --partitions 4 --task arithmetic",
            "  treepo produce --bootstrap-servers localhost:9092 --jsonl gsm8k_train.jsonl --rate 50"})
final class ProduceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = Topics.DEFAULT_PROMPTS,
            description = "Topic to write to. Default: ${DEFAULT-VALUE}.")
    String topic;

    @Option(names = "--create-topic",
            description = "Create the topic when it does not exist (with --partitions partitions and the broker's default "
                    + "replication factor); without it a missing topic is refused before anything is sent.")
    boolean createTopic;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions of a topic that --create-topic creates (the job's rollout reads one partition or more "
                    + "per parallel subtask). Default: " + DEFAULT_PARTITIONS + ".")
    Integer partitions;

    static final int DEFAULT_PARTITIONS = 2;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @ArgGroup(exclusive = false)
        Generated generated;

        @Option(names = "--jsonl", paramLabel = "FILE",
                description = "Read prompts from a JSONL file (one JSON object a line); bad lines are reported and skipped.")
        Path jsonl;
    }

    static final class Generated {
        @Option(names = "--task", required = true, paramLabel = "NAME",
                description = "Generate prompts of this task (${COMPLETION-CANDIDATES}).", completionCandidates = TaskNames.class)
        String task;

        @Option(names = "--count", paramLabel = "N", defaultValue = "100",
                description = "How many prompts to generate. Default: ${DEFAULT-VALUE}.")
        long count;

        @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
                description = "Seed of the first prompt; prompt i uses seed S+i (training split). Default: ${DEFAULT-VALUE}.")
        long seed;
    }

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "0",
            description = "Records per second; 0 sends as fast as the broker takes them. Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--kafka-properties", paramLabel = "FILE",
            description = "Extra Kafka client properties (security.protocol, sasl.*, ssl.*), passed through as they are.")
    Path kafkaProperties;

    @Override
    public Integer call() throws Exception {
        if (rate < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rate must be >= 0, got " + rate);
        }
        if (partitions != null && !createTopic) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--partitions needs --create-topic (an existing topic keeps its partitions)");
        }
        if (partitions != null && partitions < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--partitions must be >= 1, got " + partitions);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Task task = null;
        if (source.generated != null) {
            if (source.generated.count < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--count must be >= 1, got " + source.generated.count);
            }
            try {
                task = Tasks.byName(source.generated.task);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--task: " + e.getMessage());
            }
        } else if (!Files.isReadable(source.jsonl)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--jsonl: cannot read " + source.jsonl);
        }

        Properties props = CliKafka.properties(spec, bootstrapServers, kafkaProperties);
        KafkaClientConfig.requireReachable(props, Duration.ofSeconds(10));
        requireTopic(props, out);
        try (PromptProducer producer = new PromptProducer(props, topic, rate,
                p -> out.printf("  sent %d (%.0f/s), failed %d%n", p.sent(), p.perSecond(), p.failed()))) {
            try {
                send(producer, task, err);
            } catch (PromptProducer.Stopped stopped) {
                // reported below with the counts: the records sent so far are on the topic
            }
            PromptProducer.Result result = producer.finish();
            out.printf("Done: sent %d, failed %d to %s in %.1f s%n", result.sent(), result.failed(), topic, result.elapsed().toMillis() / 1000.0);
            if (producer.stopped()) {
                err.println("error: stopped at the first failure, which every later record would meet too: " + result.firstError());
            } else if (result.firstError() != null) {
                err.println("error: first failure: " + result.firstError());
            }
            return result.failed() == 0 ? 0 : 1;
        }
    }

    /** Refuses a missing topic at once, or creates it with --create-topic: a producer would wait out a timeout per record. */
    private void requireTopic(Properties props, PrintWriter out) {
        OptionalInt existing = TopicCheck.partitions(props, topic, Duration.ofSeconds(10));
        if (existing.isPresent()) {
            return;
        }
        if (!createTopic) {
            throw new IllegalStateException("topic " + topic + " does not exist at " + bootstrapServers
                    + ": pass --create-topic (and --partitions N, default " + DEFAULT_PARTITIONS + ") to create it, or --topic an existing one");
        }
        int count = partitions != null ? partitions : DEFAULT_PARTITIONS;
        TopicCheck.create(props, topic, count, Duration.ofSeconds(30));
        out.printf("Created topic %s with %d partition%s%n", topic, count, count == 1 ? "" : "s");
    }

    private void send(PromptProducer producer, Task task, PrintWriter err) throws Exception {
        if (task != null) {
            new TaskPrompts(task, Task.Split.TRAIN, source.generated.seed, source.generated.count).forEachRemaining(producer::send);
            return;
        }
        List<DatasetError> errors = JsonlDataset.read(source.jsonl, JsonlFormat.AUTO,
                record -> producer.send(DatasetPrompts.toPrompt(record)));
        errors.forEach(e -> err.println("skipped: " + e));
        if (!errors.isEmpty()) {
            err.println(errors.size() + " bad lines skipped");
        }
    }

    /** Task names for the help text. */
    static final class TaskNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Tasks.names().iterator();
        }
    }
}
