package io.treepo.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
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

    @Test
    void theIntraOpPoolChangesAtRunTimeUnlessThePropertyIsSet() {
        String property = System.getProperty(Devices.INTRA_OP_THREADS); // surefire sets it
        Engine.getEngine("PyTorch"); // JniUtils needs the natives loaded
        int before = JniUtils.getNumThreads();
        try {
            System.setProperty(Devices.INTRA_OP_THREADS, "2");
            Devices.limitIntraOpThreads(1);
            assertEquals(before, JniUtils.getNumThreads());

            System.clearProperty(Devices.INTRA_OP_THREADS);
            Devices.limitIntraOpThreads(1);
            assertEquals(1, JniUtils.getNumThreads());
        } finally {
            JniUtils.setNumThreads(before);
            if (property != null) System.setProperty(Devices.INTRA_OP_THREADS, property);
        }
    }
}
