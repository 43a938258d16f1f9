package io.treepo.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.treepo.schemas.MetricsRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {

    private static MetricsRecord step(long version, double sampledTokens, double leaves) {
        return MetricsRecord.newBuilder().setSource("trainer").setStep(version).setPolicyVersion(version).setTimestampMs(1_000 * version)
                .setValues(Map.of("sampled_tokens", sampledTokens, "trajectory_tokens", 2 * sampledTokens, "leaves", leaves,
                        "reward_mean", 0.5, "accuracy", 0.5))
                .build();
    }

    @Test
    void heldOutPointsSitAtTheTokensSampledUpToTheirVersion(@TempDir Path dir) throws Exception {
        try (RunReport report = new RunReport(dir, 0)) {
            report.addHeldOut(0, 0.25, 500);
            report.add(step(1, 100, 8));
            report.add(step(2, 50, 8));
            report.add(step(3, 70, 8));
            report.addHeldOut(2, 0.5, 2_500);

            assertThat(report.heldOut()).containsExactly(
                    new RunReport.HeldOutPoint(0, 0.25, 0.5, 0),
                    new RunReport.HeldOutPoint(2, 0.5, 2.5, 150));
            assertThat(Files.readAllLines(dir.resolve("heldout.csv")))
                    .containsExactly("version,time_s,cumulative_sampled_tokens,heldout_accuracy", "0,0.500000,0,0.250000", "2,2.50000,150,0.500000");

            List<Path> plots = report.plot();
            assertThat(plots).extracting(p -> p.getFileName().toString()).contains("heldout_vs_step.png", "heldout_vs_tokens.png");
            for (Path plot : plots) {
                assertThat(Files.size(plot)).as(plot.toString()).isGreaterThan(1000);
            }
            assertThat(report.writeSummary()).contains("held-out accuracy (greedy): 25.0% at version 0 -> 50.0% at version 2 (+25.0 points)");
        }
    }

    @Test
    void theTrendLineIsTheMeanOfTheLastWindow() {
        assertThat(RunReport.trailingMean(new double[] {1, 3, 5, 7, 9}, 2)).containsExactly(1, 2, 4, 6, 8);
        assertThat(RunReport.trailingMean(new double[] {0, 0, 1, 1}, 10)).containsExactly(0, 0, 1.0 / 3, 0.5);
    }
}
