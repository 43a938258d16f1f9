package io.treepo.cli;

import io.treepo.kafka.KafkaClientConfig;
import io.treepo.kafka.PromptProducer;
import io.treepo.kafka.TaskPrompts;
import io.treepo.kafka.Topics;
import io.treepo.schemas.Prompt;
import io.treepo.tasks.Task;
import io.treepo.tasks.Tasks;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Iterator;
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
            "Prompts come from a built-in task generator or from a JSONL dataset (GSM8K, MATH or prompt/answer lines)."
        },
        footer = {"", "Examples:",
            "  treepo produce --bootstrap-servers localhost:9092 --task arithmetic --count 1000 --seed 1",
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
        PrintWriter out = spec.commandLine().getOut();
        Iterator<Prompt> prompts;
        long expected;
        if (source.generated != null) {
            Generated g = source.generated;
            if (g.count < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--count must be >= 1, got " + g.count);
            }
            Task task;
            try {
                task = Tasks.byName(g.task);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--task: " + e.getMessage());
            }
            prompts = new TaskPrompts(task, Task.Split.TRAIN, g.seed, g.count);
            expected = g.count;
        } else {
            throw new CommandLine.ParameterException(spec.commandLine(), "--jsonl is not wired yet");
        }

        try (PromptProducer producer = new PromptProducer(KafkaClientConfig.of(bootstrapServers, kafkaProperties), topic)) {
            PromptProducer.Result result = producer.send(prompts, rate, p -> out.printf(
                    "  sent %d/%d (%.0f/s), failed %d%n", p.sent(), expected, p.sent() / Math.max(1e-3, p.elapsed().toMillis() / 1000.0), p.failed()));
            out.printf("Done: sent %d, failed %d to %s in %.1f s%n", result.sent(), result.failed(), topic, result.elapsed().toMillis() / 1000.0);
            if (result.firstError() != null) {
                spec.commandLine().getErr().println("error: first failure: " + result.firstError());
            }
            return result.failed() == 0 ? 0 : 1;
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
