package io.treepo.jobs;

import io.treepo.kafka.Topics;
import io.treepo.rollout.operator.RolloutConfig;
import io.treepo.rollout.reward.RewardRule;
import io.treepo.trainer.operator.TrainerSettings;
import java.io.Serializable;
import java.time.Duration;
import java.util.Properties;

/**
 * Everything the streaming job needs, validated once. Built by the {@code job} and {@code demo}
 * commands from their options, and by tests directly.
 *
 * @param kafka client properties (bootstrap servers plus any security settings) for every Kafka client of the job
 * @param groupId consumer group of the prompts source (offsets are committed on checkpoints)
 * @param rolloutParallelism rollout subtasks (one policy copy each)
 * @param rewardThreads verifier threads per reward subtask
 * @param reward what earns a leaf its reward
 * @param rewardTimeout a verifier slower than this gives reward 0 (counted)
 * @param treeTimeout a tree whose leaves have not all arrived by then is trained on what arrived
 * @param maxPromptChars longer prompts go to the dead-letter topic
 * @param faults test hooks that fail an operator once; {@link FaultInjection#none()} outside tests
 * @param placement which TaskManagers rollout and trainer may run on; {@link SlotPlacement#anywhere()} unless a cluster says
 */
public record JobConfig(
        Properties kafka,
        Topics topics,
        String groupId,
        int rolloutParallelism,
        RolloutConfig rollout,
        TrainerSettings trainer,
        int rewardThreads,
        RewardRule reward,
        Duration rewardTimeout,
        Duration treeTimeout,
        int maxPromptChars,
        FaultInjection faults,
        SlotPlacement placement)
        implements Serializable {

    public JobConfig(Properties kafka, Topics topics, String groupId, int rolloutParallelism, RolloutConfig rollout,
            TrainerSettings trainer, int rewardThreads, Duration rewardTimeout, Duration treeTimeout, int maxPromptChars) {
        this(kafka, topics, groupId, rolloutParallelism, rollout, trainer, rewardThreads, RewardRule.ANSWER_ONLY, rewardTimeout, treeTimeout,
                maxPromptChars, FaultInjection.none(), SlotPlacement.anywhere());
    }

    public JobConfig withFaults(FaultInjection faults) {
        return new JobConfig(kafka, topics, groupId, rolloutParallelism, rollout, trainer, rewardThreads, reward, rewardTimeout, treeTimeout,
                maxPromptChars, faults, placement);
    }

    public JobConfig withReward(RewardRule reward) {
        return new JobConfig(kafka, topics, groupId, rolloutParallelism, rollout, trainer, rewardThreads, reward, rewardTimeout, treeTimeout,
                maxPromptChars, faults, placement);
    }

    public JobConfig withPlacement(SlotPlacement placement) {
        return new JobConfig(kafka, topics, groupId, rolloutParallelism, rollout, trainer, rewardThreads, reward, rewardTimeout, treeTimeout,
                maxPromptChars, faults, placement);
    }

    public JobConfig {
        if (kafka == null || kafka.getProperty("bootstrap.servers") == null) {
            throw new IllegalArgumentException("kafka properties must name bootstrap.servers");
        }
        if (groupId == null || groupId.isBlank()) throw new IllegalArgumentException("groupId must not be blank");
        if (rolloutParallelism < 1) throw new IllegalArgumentException("rolloutParallelism must be >= 1, got " + rolloutParallelism);
        if (rewardThreads < 1) throw new IllegalArgumentException("rewardThreads must be >= 1, got " + rewardThreads);
        if (reward == null) throw new IllegalArgumentException("reward must not be null (RewardRule.ANSWER_ONLY for the task's score)");
        if (rewardTimeout.isNegative() || rewardTimeout.isZero()) throw new IllegalArgumentException("rewardTimeout must be positive");
        if (treeTimeout.isNegative() || treeTimeout.isZero()) throw new IllegalArgumentException("treeTimeout must be positive");
        if (maxPromptChars < 1) throw new IllegalArgumentException("maxPromptChars must be >= 1, got " + maxPromptChars);
        if (faults == null) throw new IllegalArgumentException("faults must not be null (FaultInjection.none() for none)");
        if (placement == null) throw new IllegalArgumentException("placement must not be null (SlotPlacement.anywhere() for any slot)");
    }

    public String bootstrapServers() {
        return kafka.getProperty("bootstrap.servers");
    }
}
