package io.treepo.jobs;

import java.io.Serializable;

/**
 * Test hooks of the reliability tests: throw once inside the rollout (mid-tree) or the trainer
 * (mid-batch), after a checkpoint has completed, so the job must restart from it. "Once" holds
 * across restarts because the operators fail only in Flink's first execution attempt; a job resumed
 * from a savepoint is a new job and would fail once more. Off in every command.
 *
 * @param rolloutAfterRounds fail the rollout at the first round from this one on; -1: never
 * @param trainerAfterUpdates fail the trainer at the first tree after this many updates; -1: never
 */
public record FaultInjection(long rolloutAfterRounds, long trainerAfterUpdates) implements Serializable {
    public static FaultInjection none() {
        return new FaultInjection(-1, -1);
    }

    public static FaultInjection rolloutAfterRounds(long rounds) {
        return new FaultInjection(rounds, -1);
    }

    public static FaultInjection trainerAfterUpdates(long updates) {
        return new FaultInjection(-1, updates);
    }
}
