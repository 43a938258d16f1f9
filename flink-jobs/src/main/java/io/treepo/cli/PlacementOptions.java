package io.treepo.cli;

import io.treepo.jobs.SlotPlacement;
import picocli.CommandLine.Option;

/** Where `job` puts rollout and trainer on a cluster: TaskManagers that declare a Flink external resource. */
final class PlacementOptions {

    @Option(names = "--trainer-resource", paramLabel = "NAME",
            description = "Run the trainer only on TaskManagers that declare one unit of Flink external resource NAME "
                    + "(e.g. gpu: external-resources: gpu and external-resource.gpu.amount: 1 in their configuration). Default: any slot.")
    String trainerResource;

    @Option(names = "--rollout-resource", paramLabel = "NAME",
            description = "The same for each rollout subtask. Default: any slot.")
    String rolloutResource;

    SlotPlacement toPlacement() {
        return new SlotPlacement(rolloutResource, trainerResource);
    }
}
