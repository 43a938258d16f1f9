package io.treepo.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TrainerConfigTest {
    private static final TrainerConfig PEAK_1 = new TrainerConfig(1f, 0, 0f, 1f, 0.9f, 0.95f, 1e-8f, 0);

    @Test
    void withoutDecayTheRateRisesOverTheWarmUpAndThenHolds() {
        TrainerConfig config = new TrainerConfig(1f, 4, 0f, 1f, 0.9f, 0.95f, 1e-8f, 0);

        assertEquals(0.25f, config.learningRateAt(1), 1e-6);
        assertEquals(1f, config.learningRateAt(4), 1e-6);
        assertEquals(1f, config.learningRateAt(1_000_000), 1e-6);
    }

    @Test
    void aDecayFallsLinearlyFromThePeakToATenthAndStaysThere() {
        TrainerConfig config = PEAK_1.withDecaySteps(100);

        assertEquals(1f, config.learningRateAt(1), 1e-6);
        assertEquals(0.55f, config.learningRateAt(51), 1e-6);
        assertEquals(0.1f, config.learningRateAt(101), 1e-6);
        assertEquals(0.1f, config.learningRateAt(5_000), 1e-6);
    }

    @Test
    void aNegativeDecayIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PEAK_1.withDecaySteps(-1));
    }
}
