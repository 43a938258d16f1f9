package io.treepo.cli;

import io.treepo.kafka.EmbeddedKafka;
import io.treepo.kafka.Topics;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
        name = "broker",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a single-node Kafka broker (KRaft, in this JVM) with the job's topics created, until Ctrl-C.",
            "Data is kept in a temporary folder and deleted on exit."
        })
final class BrokerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "9092",
            description = "Client port on localhost (0 picks a free one). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--prompt-partitions", paramLabel = "N", defaultValue = "2",
            description = "Partitions of the prompts and leaves topics. Default: ${DEFAULT-VALUE}.")
    int promptPartitions;

    @Override
    public Integer call() throws Exception {
        if (promptPartitions < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--prompt-partitions must be >= 1, got " + promptPartitions);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        // Ctrl-C runs the hook; it lets the main thread close the broker cleanly before the JVM ends.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopped.countDown();
            try {
                closed.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "broker-shutdown"));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(port)) {
            Topics topics = Topics.defaults();
            kafka.createTopics(topics, promptPartitions);
            var out = spec.commandLine().getOut();
            out.println("Kafka broker ready. Bootstrap servers: " + kafka.bootstrapServers());
            out.println("Topics: " + String.join(", ", topics.prompts(), topics.weights(), topics.leaves(), topics.deadLetters(), topics.metrics()));
            out.println("Press Ctrl-C to stop.");
            out.flush();
            stopped.await();
            out.println("Stopping the broker.");
            out.flush();
        } finally {
            closed.countDown();
        }
        return 0;
    }
}
