package io.treepo.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.treepo.schemas.MetricsRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {

    private static MetricsRecord step(long version, double sampledTokens, double leaves) {
        return step(version, sampledTokens, leaves, Map.of());
    }

    private static MetricsRecord step(long version, double sampledTokens, double leaves, Map<String, Double> more) {
        Map<String, Double> values = new HashMap<>(Map.of("sampled_tokens", sampledTokens, "trajectory_tokens", 2 * sampledTokens,
                "leaves", leaves, "reward_mean", 0.5, "accuracy", 0.5));
        values.putAll(more);
        return MetricsRecord.newBuilder().setSource("trainer").setStep(version).setPolicyVersion(version).setTimestampMs(1_000 * version)
                .setValues(values).build();
    }

    @Test
    void heldOutPointsSitAtTheTokensSampledUpToTheirVersion(@TempDir Path dir) throws Exception {
        try (RunReport report = new RunReport(dir, 0)) {
            report.addHeldOut(0, 0.25, Double.NaN, 500);
            report.add(step(1, 100, 8));
            report.add(step(2, 50, 8));
            report.add(step(3, 70, 8));
            report.addHeldOut(2, 0.5, Double.NaN, 2_500);

            assertThat(report.heldOut()).containsExactly(
                    new RunReport.HeldOutPoint(0, 0.25, 0.5, 0, Double.NaN),
                    new RunReport.HeldOutPoint(2, 0.5, 2.5, 150, Double.NaN));
            assertThat(Files.readAllLines(dir.resolve("heldout.csv"))).as("a task that does not tell worked answers leaves the column empty")
                    .containsExactly("version,time_s,cumulative_sampled_tokens,heldout_accuracy,heldout_worked_share", "0,0.500000,0,0.250000,",
                            "2,2.50000,150,0.500000,");

            List<Path> plots = report.plot();
            assertThat(plots).extracting(p -> p.getFileName().toString()).contains("heldout_vs_step.png", "heldout_vs_tokens.png")
                    .doesNotContain("worked_vs_time.png");
            for (Path plot : plots) {
                assertThat(Files.size(plot)).as(plot.toString()).isGreaterThan(1000);
            }
            assertThat(report.writeSummary()).contains("held-out accuracy (greedy): 25.0% at version 0 -> 50.0% at version 2 (+25.0 points)");
        }
    }

    @Test
    void theWorkedShareGoesToBothCsvsTheSummaryAndItsOwnPlot(@TempDir Path dir) throws Exception {
        try (RunReport report = new RunReport(dir, 0)) {
            report.addHeldOut(0, 0.25, 0.4, 500);
            report.add(step(1, 100, 8, Map.of("worked_share", 0.375)));
            report.add(step(2, 50, 8, Map.of("worked_share", 0.625)));
            report.addHeldOut(2, 0.5, 0.7, 2_500);

            int column = RunReport.COLUMNS.indexOf("worked_share");
            assertThat(Files.readAllLines(dir.resolve("metrics.csv"))).extracting(line -> line.split(",", -1)[column])
                    .containsExactly("worked_share", "0.375000", "0.625000");
            assertThat(Files.readAllLines(dir.resolve("heldout.csv"))).extracting(line -> line.substring(line.lastIndexOf(',') + 1))
                    .containsExactly("heldout_worked_share", "0.400000", "0.700000");
            Path plot = dir.resolve("worked_vs_time.png");
            assertThat(report.plot()).contains(plot);
            assertThat(Files.size(plot)).isGreaterThan(1000);
            assertThat(report.writeSummary()).contains("held-out answers worked step by step: 40.0% at version 0 -> 70.0% at version 2");
        }
    }

    @Test
    void theTrendLineIsTheMeanOfTheLastWindow() {
        assertThat(RunReport.trailingMean(new double[] {1, 3, 5, 7, 9}, 2)).containsExactly(1, 2, 4, 6, 8);
        assertThat(RunReport.trailingMean(new double[] {0, 0, 1, 1}, 10)).containsExactly(0, 0, 1.0 / 3, 0.5);
    }

    @Test
    void aBandChartDrawsMeanLinesOverShadedRanges(@TempDir Path dir) throws Exception {
        double[] xs = {0, 100, 200};
        Path file = RunReport.bandChart(dir.resolve("band.png"), "Held-out accuracy", "sampled response tokens", "held-out accuracy", List.of(
                new RunReport.Band("two runs", xs, new double[] {0.5, 0.6, 0.7}, new double[] {0.5, 0.55, 0.6}, new double[] {0.5, 0.65, 0.8}),
                new RunReport.Band("one run", xs, new double[] {0.5, 0.5, 0.6}, new double[] {0.5, 0.5, 0.6}, new double[] {0.5, 0.5, 0.6})));
        assertThat(Files.size(file)).isGreaterThan(1000);
    }
}
