package io.treepo.trainer;

import io.treepo.policy.StepResult;
import java.util.List;

/**
 * What one {@link PolicyUpdater#update} did, for metrics.
 *
 * @param steps one per mini-batch, in order
 * @param diagnostics the loss figures of each step, same order
 * @param leavesTrained leaves that contributed tokens
 * @param leavesStale leaves dropped by the staleness bound
 * @param leavesDropped leaves the estimator left out (FR3E states without signal)
 * @param zeroSignalGroups groups whose rewards all agreed
 * @param meanReward mean reward over every scored leaf received
 */
public record UpdateReport(
        List<StepResult> steps,
        List<PpoDiagnostics> diagnostics,
        int leavesTrained,
        int leavesStale,
        int leavesDropped,
        List<String> zeroSignalGroups,
        double meanReward) {

    public UpdateReport {
        steps = List.copyOf(steps);
        diagnostics = List.copyOf(diagnostics);
        zeroSignalGroups = List.copyOf(zeroSignalGroups);
    }
}
