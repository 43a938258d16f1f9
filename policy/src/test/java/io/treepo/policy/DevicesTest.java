package io.treepo.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class DevicesTest {

    @Test
    void cpuIsForcedByName() {
        assertEquals(Device.cpu(), Devices.resolve("cpu"));
    }

    @Test
    void unknownChoiceIsRefused() {
        assertEquals("device must be auto, cpu or gpu, got 'tpu'",
                assertThrows(IllegalArgumentException.class, () -> Devices.resolve("tpu")).getMessage());
    }
}
