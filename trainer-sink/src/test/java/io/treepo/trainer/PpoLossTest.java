package io.treepo.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.treepo.policy.TokenLogProbs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The loss on one row of five tokens, worked by hand (the fifth is padding with a wild log-prob):
 * <pre>
 * token  A   log-ratio  ratio   -A r     -A clip(r)  max      dual (A<0)  loss
 * 0     +1   0.5        1.6487  -1.6487  -1.28       -1.28    -           -1.28   (clipped)
 * 1     +1   0          1       -1       -1          -1       -           -1
 * 2     -1   3          20.086  20.086   1.28        20.086   10          10
 * 3     -1   ln 0.5     0.5     0.5      0.8         0.8      0.8         0.8     (clipped)
 * </pre>
 * token mean: (-1.28 - 1 + 10 + 0.8) / 4 = 2.13; clip fraction 2/4; k3 = exp(-l) - 1 + l:
 * 0.106531, 0, 2.049787, 0.306853, mean 0.615793.
 */
class PpoLossTest {
    private final NDManager manager = NDManager.newBaseManager("PyTorch");
    private final NDArray behaviour = manager.create(new float[] {-1f, -2f, -3f, -1f, 0f}, new Shape(1, 5));
    private final NDArray current = manager.create(new float[] {-0.5f, -2f, 0f, -1f + (float) Math.log(0.5), -40f}, new Shape(1, 5));
    private final NDArray advantages = manager.create(new float[] {1, 1, -1, -1, 0}, new Shape(1, 5));
    private final NDArray mask = manager.create(new float[] {1, 1, 1, 1, 0}, new Shape(1, 5));
    private final NDArray entropies = manager.create(new float[] {1, 2, 3, 4, 100}, new Shape(1, 5));

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void clipHigherDualClipAndTokenMeanByHand() {
        PpoLoss.PpoResult r = new PpoLoss(PpoConfig.defaults()).compute(new TokenLogProbs(current, entropies, mask), behaviour, advantages);
        assertEquals(2.13, r.loss().getFloat(), 1e-4);
        PpoDiagnostics d = r.diagnostics();
        assertEquals(0.5, d.clipFraction(), 1e-6);
        assertEquals(0.615793, d.approxKl(), 1e-5);
        assertEquals(2.5, d.entropyMean(), 1e-6);
        assertEquals(0, d.advantageMean(), 1e-6);
        assertEquals(1, d.advantageStd(), 1e-6);
        assertEquals(4, d.tokens());
    }

    @Test
    void klTermAddsTheK3Mean() {
        PpoLoss.PpoResult r = new PpoLoss(PpoConfig.defaults().withKlCoef(0.1))
                .compute(new TokenLogProbs(current, entropies, mask), behaviour, advantages);
        assertEquals(2.13 + 0.1 * 0.615793, r.loss().getFloat(), 1e-4);
    }

    @Test
    void gradientRaisesGoodTokensLowersBadOnesAndSkipsClippedOnes() {
        NDArray logProbs = current.duplicate();
        logProbs.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray loss = new PpoLoss(PpoConfig.defaults()).compute(new TokenLogProbs(logProbs, entropies, mask), behaviour, advantages).loss();
            collector.backward(loss);
        }
        // d loss / d logp = -A r / 4 where the unclipped term is in effect, else 0; the dual-clipped
        // token (2) and the clipped ones (0, 3) and the padding get no gradient.
        assertArrayEquals(new float[] {0f, -0.25f, 0f, 0f, 0f}, logProbs.getGradient().toFloatArray(), 1e-6f);
    }

    @Test
    void badSettingsAreRefusedNamingTheOption() {
        assertEquals("dualClip must be > 1, got 1.0",
                assertThrows(IllegalArgumentException.class, () -> new PpoConfig(0.2, 0.28, 1, 0, 1)).getMessage());
        assertEquals("epsLow must be in (0, 1), got 0.0",
                assertThrows(IllegalArgumentException.class, () -> new PpoConfig(0, 0.28, 10, 0, 1)).getMessage());
    }

    @Test
    void stalenessDropsItemsWhoseOldestSegmentIsTooOld() {
        StalenessFilter filter = new StalenessFilter(2);
        StalenessFilter.Split<Long> split = filter.apply(java.util.List.of(10L, 8L, 7L, 11L), v -> v, 10);
        assertEquals(java.util.List.of(10L, 8L, 11L), split.kept());
        assertEquals(java.util.List.of(7L), split.dropped());
    }
}
