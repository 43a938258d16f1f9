package io.treepo.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ModelConfigTest {

    @Test
    void jsonRoundTrips() {
        assertEquals(ModelConfig.defaultSmall(), ModelConfig.fromJson(ModelConfig.defaultSmall().toJson()));
        assertEquals(ModelConfig.tiny(), ModelConfig.fromJson(" " + ModelConfig.tiny().toJson().replace(",", " , ") + "\n"));
        assertEquals(ModelConfig.medium(), ModelConfig.fromJson(ModelConfig.medium().toJson()));
    }

    @Test
    void mediumHasAboutThreeTimesTheDefaultsParametersAndItsHeadSize() {
        double ratio = (double) ModelConfig.medium().parameterCount() / ModelConfig.defaultSmall().parameterCount();
        assertEquals(3.0, ratio, 0.3);
        assertEquals(ModelConfig.defaultSmall().headSize(), ModelConfig.medium().headSize());
    }

    @Test
    void invalidValuesAreRefusedNamingTheOption() {
        assertEquals("width (130) must be a multiple of heads (4)",
                assertThrows(IllegalArgumentException.class, () -> new ModelConfig(4, 130, 4, 256, 259, 4)).getMessage());
        assertEquals("layers must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new ModelConfig(0, 128, 4, 256, 259, 4)).getMessage());
    }

    @Test
    void malformedJsonIsRefused() {
        assertEquals("model config JSON: missing key mlpRatio", assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.fromJson("{\"layers\":1,\"width\":8,\"heads\":2,\"contextLength\":8,\"vocabSize\":9}")).getMessage());
        assertEquals("model config JSON: unknown keys [extra]", assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.fromJson(ModelConfig.tiny().toJson().replace("}", ",\"extra\":1}"))).getMessage());
    }
}
