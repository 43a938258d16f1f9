package io.treepo.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.treepo.kafka.KafkaClientConfig;
import org.apache.flink.api.common.resources.ExternalResource;
import org.apache.flink.runtime.clusterframework.types.ResourceProfile;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.junit.jupiter.api.Test;

/** The job graph asks for an external resource only for the groups a placement names. */
class SlotPlacementTest {

    private static StreamGraph graph(SlotPlacement placement) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TreepoJob.build(env, KafkaPropertiesPassThroughTest.config(KafkaClientConfig.of("kafka:9092", null)).withPlacement(placement));
        return env.getStreamGraph();
    }

    @Test
    void aTrainerPlacedByResourceNeedsAShareOfItAndTheRolloutTakesAnySlot() {
        StreamGraph graph = graph(new SlotPlacement(null, "gpu"));
        ResourceProfile trainer = graph.getSlotSharingGroupResource(TreepoJob.TRAINER_SLOTS).orElseThrow();
        assertThat(trainer.getExtendedResources()).containsEntry("gpu", new ExternalResource("gpu", SlotPlacement.RESOURCE_SHARE));
        assertThat(graph.getSlotSharingGroupResource(TreepoJob.ROLLOUT_SLOTS)).isEmpty();
        assertThat(graph.getStreamNodes()).filteredOn(n -> n.getOperatorName().equals("trainer"))
                .singleElement().satisfies(n -> assertThat(n.getSlotSharingGroup()).isEqualTo(TreepoJob.TRAINER_SLOTS));
    }

    @Test
    void anywhereAsksForNoResource() {
        StreamGraph graph = graph(SlotPlacement.anywhere());
        assertThat(graph.getSlotSharingGroupResource(TreepoJob.TRAINER_SLOTS)).isEmpty();
        assertThat(graph.getSlotSharingGroupResource(TreepoJob.ROLLOUT_SLOTS)).isEmpty();
    }

    @Test
    void aBlankResourceNameIsRefused() {
        assertThatThrownBy(() -> new SlotPlacement(" ", null)).hasMessage("rolloutResource must not be blank");
    }
}
