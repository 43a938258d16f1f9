package io.treepo.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The job's topic names (configurable, with the documented defaults) and the settings each topic is
 * created with.
 */
public record Topics(String prompts, String weights, String leaves, String deadLetters, String metrics, String ledger) {

    public static final String DEFAULT_PROMPTS = "treepo.prompts";
    public static final String DEFAULT_WEIGHTS = "treepo.weights";
    public static final String DEFAULT_LEAVES = "treepo.leaves";
    public static final String DEFAULT_DEAD_LETTERS = "treepo.dlq";
    public static final String DEFAULT_METRICS = "treepo.metrics";
    /** What each update trained (prompt ids, version), written exactly once: see the trainer's ledger. */
    public static final String DEFAULT_LEDGER = "treepo.ledger";

    /** Largest weights chunk the topic accepts; publishers chunk below it. */
    public static final int WEIGHTS_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

    public Topics {
        for (String name : new String[] {prompts, weights, leaves, deadLetters, metrics, ledger}) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("topic names must not be blank");
            }
        }
        if (Set.of(prompts, weights, leaves, deadLetters, metrics, ledger).size() != 6) {
            throw new IllegalArgumentException("topic names must be distinct, got " + List.of(prompts, weights, leaves, deadLetters, metrics, ledger));
        }
    }

    public static Topics defaults() {
        return new Topics(DEFAULT_PROMPTS, DEFAULT_WEIGHTS, DEFAULT_LEAVES, DEFAULT_DEAD_LETTERS, DEFAULT_METRICS, DEFAULT_LEDGER);
    }

    /** Every topic with its settings: the weights topic is compacted (keyed by chunk index) and takes big chunks. */
    public List<NewTopic> newTopics(int promptPartitions, short replication) {
        List<NewTopic> topics = new ArrayList<>();
        topics.add(new NewTopic(prompts, promptPartitions, replication));
        topics.add(new NewTopic(weights, 1, replication).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(WEIGHTS_MAX_MESSAGE_BYTES),
                // compact soon, so a rollout that starts late reads few stale versions
                TopicConfig.SEGMENT_MS_CONFIG, "60000",
                TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.1")));
        topics.add(new NewTopic(leaves, promptPartitions, replication));
        topics.add(new NewTopic(deadLetters, 1, replication));
        topics.add(new NewTopic(metrics, 1, replication));
        topics.add(new NewTopic(ledger, 1, replication));
        return topics;
    }

    /** Creates the topics that do not exist yet; existing ones are left as they are. */
    public void create(Admin admin, int promptPartitions, short replication) throws InterruptedException {
        for (NewTopic topic : newTopics(promptPartitions, replication)) {
            try {
                admin.createTopics(List.of(topic)).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + topic.name() + ": " + e.getCause().getMessage(), e.getCause());
                }
            }
        }
    }
}
