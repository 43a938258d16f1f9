package io.treepo.jobs;

import java.io.Serializable;
import org.apache.flink.api.common.operators.SlotSharingGroup;

/**
 * Which TaskManagers the rollout and trainer slot-sharing groups may run on, through Flink's
 * fine-grained resource management: a group that names an external resource (the GPU one, say)
 * needs a share of it per slot, so only TaskManagers that declare it ({@code external-resources: gpu},
 * {@code external-resource.gpu.amount: 1}) are given that group's slots. A group without one takes any slot.
 *
 * @param rolloutResource external resource each rollout slot needs a share of, or null for any slot
 * @param trainerResource the same for the trainer's slot
 */
public record SlotPlacement(String rolloutResource, String trainerResource) implements Serializable {
    /**
     * A resource profile must name CPU and task heap as well. These only count against a
     * TaskManager's totals (Flink enforces neither per slot) and are kept under one default slot's
     * share (a slot of a 1 GB TaskManager with 2 slots has 1 core and 128 MB of task heap), so the
     * group still fits beside one ordinary slot on the TaskManager that has the resource.
     */
    static final double CPU_CORES = 0.5;
    static final int TASK_HEAP_MB = 64;
    /**
     * The share of the resource a placed slot asks for: a token, because the request only marks where
     * the group may run. Flink divides a TaskManager's external resources among its ordinary slots
     * (a GPU TaskManager with 2 slots gives each 0.5 GPU), so asking for a whole unit would fail as
     * soon as one ordinary slot sits on the same TaskManager.
     */
    static final double RESOURCE_SHARE = 0.01;

    public SlotPlacement {
        if (rolloutResource != null && rolloutResource.isBlank()) throw new IllegalArgumentException("rolloutResource must not be blank");
        if (trainerResource != null && trainerResource.isBlank()) throw new IllegalArgumentException("trainerResource must not be blank");
    }

    /** Both groups take any free slot: the demo's MiniCluster and a cluster without resource profiles. */
    public static SlotPlacement anywhere() {
        return new SlotPlacement(null, null);
    }

    SlotSharingGroup rollout() {
        return group(TreepoJob.ROLLOUT_SLOTS, rolloutResource);
    }

    SlotSharingGroup trainer() {
        return group(TreepoJob.TRAINER_SLOTS, trainerResource);
    }

    private static SlotSharingGroup group(String name, String resource) {
        SlotSharingGroup.Builder group = SlotSharingGroup.newBuilder(name);
        if (resource != null) {
            group.setCpuCores(CPU_CORES).setTaskHeapMemoryMB(TASK_HEAP_MB).setExternalResource(resource, RESOURCE_SHARE);
        }
        return group.build();
    }
}
