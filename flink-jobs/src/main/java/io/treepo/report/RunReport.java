package io.treepo.report;

import io.treepo.schemas.MetricsRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A run's report folder: {@code metrics.csv} (one row per training step, appended as steps arrive,
 * so an interrupted run keeps what it had) and PNG plots of reward and accuracy against steps and
 * against sampled tokens, drawn when the run ends.
 */
public final class RunReport implements AutoCloseable {
    /** The CSV's columns: step and version first, then the trainer's figures. */
    public static final List<String> COLUMNS = List.of("batch", "time_s", "step", "version", "trees", "leaves", "sampled_tokens",
            "cumulative_sampled_tokens", "reward_mean", "accuracy", "loss", "clip_fraction", "approx_kl", "entropy",
            "grad_norm", "staleness", "zero_signal_trees");

    private final Path dir;
    private final Writer csv;
    private final long startMs;
    private final List<double[]> rows = new ArrayList<>();
    private double cumulativeTokens;

    public RunReport(Path dir, long startMs) throws IOException {
        this.dir = dir;
        this.startMs = startMs;
        Files.createDirectories(dir);
        this.csv = Files.newBufferedWriter(dir.resolve("metrics.csv"));
        csv.write(String.join(",", COLUMNS) + "\n");
        csv.flush();
    }

    public Path dir() {
        return dir;
    }

    /** Adds one trainer step. */
    public synchronized void add(MetricsRecord record) {
        var v = record.getValues();
        double tokens = v.getOrDefault("sampled_tokens", 0.0);
        cumulativeTokens += tokens;
        double[] row = {
            rows.size() + 1, (record.getTimestampMs() - startMs) / 1000.0, record.getStep(), record.getPolicyVersion(),
            v.getOrDefault("trees", 0.0), v.getOrDefault("leaves", 0.0), tokens, cumulativeTokens,
            v.getOrDefault("reward_mean", Double.NaN), v.getOrDefault("accuracy", Double.NaN), v.getOrDefault("loss", Double.NaN),
            v.getOrDefault("clip_fraction", Double.NaN), v.getOrDefault("approx_kl", Double.NaN), v.getOrDefault("entropy", Double.NaN),
            v.getOrDefault("grad_norm", Double.NaN), v.getOrDefault("staleness", Double.NaN), v.getOrDefault("zero_signal_trees", 0.0)
        };
        rows.add(row);
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < row.length; i++) {
            line.append(i == 0 ? "" : ",").append(Double.isNaN(row[i]) ? "" : format(row[i]));
        }
        try {
            csv.write(line.append('\n').toString());
            csv.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve("metrics.csv"), e);
        }
    }

    public synchronized int steps() {
        return rows.size();
    }

    /** Draws the plots; returns the files written. */
    public synchronized List<Path> plot() throws IOException {
        List<Path> files = new ArrayList<>();
        if (rows.isEmpty()) {
            return files;
        }
        int step = COLUMNS.indexOf("batch");
        int tokens = COLUMNS.indexOf("cumulative_sampled_tokens");
        int reward = COLUMNS.indexOf("reward_mean");
        int accuracy = COLUMNS.indexOf("accuracy");
        int entropy = COLUMNS.indexOf("entropy");
        files.add(save(chart("Reward and accuracy by training batch", "training batch", "share", step,
                new int[] {reward, accuracy}, new String[] {"mean reward", "accuracy (reward 1)"}), "reward_vs_step"));
        files.add(save(chart("Reward and accuracy by sampled tokens", "sampled response tokens", "share", tokens,
                new int[] {reward, accuracy}, new String[] {"mean reward", "accuracy (reward 1)"}), "reward_vs_tokens"));
        files.add(save(chart("Policy entropy by training batch", "training batch", "mean token entropy (nats)", step,
                new int[] {entropy}, new String[] {"entropy"}), "entropy_vs_step"));
        return files;
    }

    private XYChart chart(String title, String xTitle, String yTitle, int x, int[] ys, String[] names) {
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendVisible(true);
        if (yTitle.equals("share")) {
            chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        }
        double[] xs = rows.stream().mapToDouble(r -> r[x]).toArray();
        for (int i = 0; i < ys.length; i++) {
            int column = ys[i];
            double[] values = rows.stream().mapToDouble(r -> Double.isNaN(r[column]) ? 0 : r[column]).toArray();
            chart.addSeries(names[i], xs, values).setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    private Path save(XYChart chart, String name) throws IOException {
        Path file = dir.resolve(name + ".png");
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : String.format(Locale.ROOT, "%.6g", value);
    }

    @Override
    public synchronized void close() throws IOException {
        csv.close();
    }
}
