package io.treepo.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class WeightsCodecTest {
    private static final ModelConfig TINY = ModelConfig.tiny();

    static float[] logits(TransformerModel model) {
        try (NDManager m = model.manager().newSubManager()) {
            return model.forwardFull(m.create(new long[] {256, 49, 43, 50, 61}, new Shape(1, 5))).toFloatArray();
        }
    }

    @Test
    void saveThenLoadGivesIdenticalLogits() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerModel original = TransformerModel.initialize(TINY, manager, 5);
            EncodedWeights encoded = WeightsCodec.encode(original);
            assertEquals(WeightsCodec.sha256(encoded.payload()), encoded.sha256());
            TransformerModel loaded = WeightsCodec.decode(encoded, manager);
            assertArrayEquals(logits(original), logits(loaded), 0f);
        }
    }

    @Test
    void corruptedPayloadIsRefused() {
        try (NDManager manager = NDManager.newBaseManager()) {
            EncodedWeights encoded = WeightsCodec.encode(TransformerModel.initialize(TINY, manager, 5));
            byte[] corrupted = encoded.payload().clone();
            corrupted[corrupted.length / 2] ^= 1;
            WeightsMismatchException e = assertThrows(WeightsMismatchException.class,
                    () -> WeightsCodec.decode(new EncodedWeights(TINY, corrupted, encoded.sha256()), manager));
            assertTrue(e.getMessage().startsWith("weights SHA-256 mismatch: expected " + encoded.sha256()), e.getMessage());
        }
    }

    @Test
    void wrongConfigIsRefusedNamingTheDifference() {
        try (NDManager manager = NDManager.newBaseManager()) {
            EncodedWeights encoded = WeightsCodec.encode(TransformerModel.initialize(TINY, manager, 5));
            ModelConfig wider = ModelConfig.fromJson(TINY.toJson().replace("\"intermediate_size\":64", "\"intermediate_size\":96"));
            WeightsMismatchException e = assertThrows(WeightsMismatchException.class,
                    () -> WeightsCodec.decode(new EncodedWeights(wider, encoded.payload(), encoded.sha256()), manager));
            assertEquals("weights config mismatch (expected != payload): intermediate_size 96 != 64", e.getMessage());
        }
    }
}
