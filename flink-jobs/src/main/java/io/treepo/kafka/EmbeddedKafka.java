package io.treepo.kafka;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka (combined KRaft broker + controller) inside this JVM, for tests and for the
 * one-machine demo. Data lives in a temporary folder, deleted on close.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(0)) {   // 0: any free port
 *     String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    /** The listener clients use when a fixed port is asked for (the kit's own listeners take random ports). */
    private static final String HOST_LISTENER = "HOST";

    private final KafkaClusterTestKit cluster;
    private final String bootstrapServers;

    private EmbeddedKafka(KafkaClusterTestKit cluster, String bootstrapServers) {
        this.cluster = cluster;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Starts the broker and waits until it is ready.
     *
     * @param port the client port on localhost, or 0 for any free port
     */
    public static EmbeddedKafka start(int port) throws Exception {
        return start(port, port);
    }

    /**
     * Starts the broker on {@code port} but tells clients to connect to {@code advertisedPort}: for a
     * proxy in front of it (the reliability tests cut the connection there to make the broker vanish).
     */
    public static EmbeddedKafka start(int port, int advertisedPort) throws Exception {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
        }
        if (advertisedPort != port && (port == 0 || advertisedPort < 1 || advertisedPort > 65535)) {
            throw new IllegalArgumentException("a proxy needs fixed ports, got port " + port + " advertised as " + advertisedPort);
        }
        // A broker fault must not end the JVM that also runs Flink and the CLI.
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("embedded Kafka asked to exit(" + code + "): " + message);
        });
        Exit.setHaltProcedure((code, message) -> {
            throw new IllegalStateException("embedded Kafka asked to halt(" + code + "): " + message);
        });

        Path dir = Files.createTempDirectory("treepo-kafka-");
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBaseDirectory(dir)
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
                // the kit leaves these at their 3-broker defaults: consumer groups would hang
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "4")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("num.partitions", "1")
                .setConfigProp("auto.create.topics.enable", "false")
                .setConfigProp("message.max.bytes", Integer.toString(Topics.WEIGHTS_MAX_MESSAGE_BYTES + 1024))
                .setConfigProp("log.cleaner.backoff.ms", "1000");
        if (port != 0) {
            String broker = nodes.brokerListenerName().value();
            String controller = nodes.controllerListenerName().value();
            builder.setConfigProp("listeners",
                            broker + "://localhost:0," + controller + "://localhost:0," + HOST_LISTENER + "://localhost:" + port)
                    .setConfigProp("listener.security.protocol.map",
                            broker + ":PLAINTEXT," + controller + ":PLAINTEXT," + HOST_LISTENER + ":PLAINTEXT");
            if (advertisedPort != port) {
                // port 0 is replaced by the bound port when the broker registers
                builder.setConfigProp("advertised.listeners", broker + "://localhost:0," + HOST_LISTENER + "://localhost:" + advertisedPort);
            }
        }
        KafkaClusterTestKit cluster = builder.build();
        try {
            formatQuietly(cluster);
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw new IllegalStateException("embedded Kafka did not start" + (port != 0 ? " on port " + port + " (in use?)" : "")
                    + ": " + e.getMessage(), e);
        }
        String bootstrap = port != 0 ? "localhost:" + advertisedPort : cluster.bootstrapServers();
        LOG.info("embedded Kafka ready at {}", bootstrap);
        return new EmbeddedKafka(cluster, bootstrap);
    }

    /** Kafka's storage formatter prints to standard out, which is the CLI's channel to its user. */
    private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            cluster.format();
        } finally {
            System.setOut(stdout);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Client properties that reach this broker. */
    public Properties clientProperties() {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }

    public Admin admin() {
        return Admin.create(clientProperties());
    }

    /** Creates the job's topics (prompt topic with {@code promptPartitions} partitions). */
    public void createTopics(Topics topics, int promptPartitions) throws InterruptedException {
        try (Admin admin = admin()) {
            topics.create(admin, promptPartitions, (short) 1);
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
