package io.treepo.jobs;

import org.apache.flink.configuration.Configuration;

/**
 * Checkpoint settings for a job that lives with a backlog. The rollout is slow per prompt and
 * backpressures the prompts source, so thousands of prompts sit in network buffers ahead of it. An
 * aligned checkpoint barrier queues behind all of them (minutes), and the ledger, which commits with
 * checkpoints, would stall. Unaligned checkpoints let the barrier overtake buffered records (they
 * are stored in the checkpoint instead); buffer debloating keeps about a second of records in flight.
 */
public final class Backlog {
    private Backlog() {}

    public static void configure(Configuration conf) {
        conf.setString("execution.checkpointing.unaligned.enabled", "true");
        conf.setString("taskmanager.network.memory.buffer-debloat.enabled", "true");
    }
}
