package io.treepo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.treepo.cli.Comparison.Run;
import io.treepo.cli.Comparison.Spread;
import io.treepo.report.RunReport;
import io.treepo.report.RunReport.HeldOutPoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The comparison's figures on hand-made runs, worked out by hand. */
class ComparisonTest {

    /** A run whose held-out points are {tokens, accuracy} pairs, one second apart. */
    private static Run run(long seed, double[]... points) {
        List<HeldOutPoint> heldOut = new java.util.ArrayList<>();
        for (int i = 0; i < points.length; i++) {
            heldOut.add(new HeldOutPoint(i, points[i][1], i + 0.5, points[i][0], Double.NaN));
        }
        return new Run("tree", seed, List.of(), heldOut);
    }

    private static final Run A = run(1, new double[] {0, 0.5}, new double[] {100, 0.6}, new double[] {300, 0.8});
    private static final Run B = run(2, new double[] {0, 0.5}, new double[] {200, 0.7});

    @Test
    void aRunHoldsItsNewestScoreBetweenPointsItsFirstBeforeAndItsLastAfter() {
        assertEquals(0.5, A.accuracyAt(Comparison.TOKENS, 99));
        assertEquals(0.6, A.accuracyAt(Comparison.TOKENS, 100));
        assertEquals(0.8, A.accuracyAt(Comparison.TOKENS, 1e9));
        assertEquals(0.5, A.accuracyAt(Comparison.SECONDS, 0), "before the warm start's score: that score");
        assertEquals(0.6, A.accuracyAt(Comparison.SECONDS, 1.5));
    }

    @Test
    void theSpreadIsMeanSampleDeviationAndRange() {
        Spread s = Spread.of(new double[] {0.6, 0.8});
        assertEquals(0.7, s.mean(), 1e-12);
        assertEquals(Math.sqrt(0.02), s.std(), 1e-12);
        assertEquals(0.6, s.min());
        assertEquals(0.8, s.max());
        assertEquals("70.0% ± 14.1 [60.0..80.0]", s.percent());
        assertThat(Spread.of(new double[] {0.7}).std()).as("one run has no spread").isNaN();
        assertEquals("70.0%", Spread.of(new double[] {0.7}).percent());
    }

    @Test
    void theBandIsTheRunsMeanMinAndMaxAtEveryPointOfEither() {
        RunReport.Band band = Comparison.band("tree", List.of(A, B), Comparison.TOKENS);
        assertThat(band.xs()).containsExactly(0, 100, 200, 300);
        assertThat(band.min()).containsExactly(0.5, 0.5, 0.6, 0.7);
        assertThat(band.max()).containsExactly(0.5, 0.6, 0.7, 0.8);
        assertThat(band.mean()).containsExactly(new double[] {0.5, 0.55, 0.65, 0.75}, org.assertj.core.data.Offset.offset(1e-12));
        assertEquals(200, Comparison.firstReaching(band, 0.64), "the mean is 0.65 there");
        assertThat(Comparison.firstReaching(band, 0.76)).isNaN();
        assertEquals(200, Comparison.commonEnd(List.of(A, B), Comparison.TOKENS), "B got no further than 200 tokens");
    }
}
