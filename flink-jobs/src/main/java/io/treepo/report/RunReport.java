package io.treepo.report;

import io.treepo.schemas.MetricsRecord;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A run's report folder: {@code metrics.csv} (one row per training step, appended as steps arrive,
 * so an interrupted run keeps what it had), {@code heldout.csv} (greedy held-out accuracy of the
 * versions scored during the run) and PNG plots of reward, accuracy and held-out accuracy against
 * steps and against sampled tokens, drawn when the run ends. On a task that tells worked responses
 * from direct answers (strategy-arithmetic) both CSVs carry the worked share and a plot shows it over
 * time; elsewhere that column is empty.
 */
public final class RunReport implements AutoCloseable {
    /** The CSV's columns: step and version first, then the trainer's figures. */
    /** Batches per point of the trend line drawn over per-batch series. */
    static final int TREND_BATCHES = 50;

    public static final List<String> COLUMNS = List.of("batch", "time_s", "step", "version", "trees", "leaves", "sampled_tokens",
            "trajectory_tokens", "cumulative_sampled_tokens", "reward_mean", "accuracy", "worked_share", "loss", "clip_fraction", "approx_kl", "entropy",
            "grad_norm", "staleness", "zero_signal_trees");

    private final Path dir;
    private final Writer csv;
    private final long startMs;
    private final List<double[]> rows = new ArrayList<>();
    private double cumulativeTokens;
    private double rolloutDecodedTokens;
    private double rolloutProcessedTokens;
    private double rolloutRoundSeconds;
    private final List<Double> swapLatenciesMs = new ArrayList<>();
    private final List<Double> arrivalLatenciesMs = new ArrayList<>();
    private final List<HeldOutPoint> heldOut = new ArrayList<>();
    private final Writer heldOutCsv;

    /**
     * Greedy held-out accuracy of one policy version, with where the run was when that version was
     * published: training batches applied (the version) and response tokens sampled up to then;
     * {@code workedShare} of its answers work step by step (NaN when the task does not tell).
     */
    public record HeldOutPoint(long version, double accuracy, double timeSeconds, double sampledTokens, double workedShare) {}

    /** One line of a chart. */
    public record Series(String name, double[] xs, double[] ys) {}

    /** Several runs' line: the mean at each x, drawn over a shaded band from min to max. */
    public record Band(String name, double[] xs, double[] mean, double[] min, double[] max) {}

    public RunReport(Path dir, long startMs) throws IOException {
        this.dir = dir;
        this.startMs = startMs;
        Files.createDirectories(dir);
        this.csv = Files.newBufferedWriter(dir.resolve("metrics.csv"));
        csv.write(String.join(",", COLUMNS) + "\n");
        csv.flush();
        this.heldOutCsv = Files.newBufferedWriter(dir.resolve("heldout.csv"));
        heldOutCsv.write("version,time_s,cumulative_sampled_tokens,heldout_accuracy,heldout_worked_share\n");
        heldOutCsv.flush();
    }

    /**
     * Adds a held-out measurement of {@code version}; rows of that version must have arrived first (version 0 needs none).
     *
     * @param workedShare share of the answers that work step by step; NaN when the task does not tell
     */
    public synchronized void addHeldOut(long version, double accuracy, double workedShare, long atMs) {
        int versionColumn = COLUMNS.indexOf("version");
        int tokensColumn = COLUMNS.indexOf("cumulative_sampled_tokens");
        double tokens = 0;
        for (double[] row : rows) {
            if (row[versionColumn] <= version) {
                tokens = row[tokensColumn];
            }
        }
        HeldOutPoint point = new HeldOutPoint(version, accuracy, (atMs - startMs) / 1000.0, tokens, workedShare);
        heldOut.add(point);
        try {
            heldOutCsv.write(version + "," + format(point.timeSeconds()) + "," + format(tokens) + "," + format(accuracy) + ","
                    + format(workedShare) + "\n");
            heldOutCsv.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve("heldout.csv"), e);
        }
    }

    public synchronized List<HeldOutPoint> heldOut() {
        return List.copyOf(heldOut);
    }

    /** The rows so far, in {@link #COLUMNS} order. */
    public synchronized List<double[]> rows() {
        return rows.stream().map(double[]::clone).toList();
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
            v.getOrDefault("trees", 0.0), v.getOrDefault("leaves", 0.0), tokens, v.getOrDefault("trajectory_tokens", 0.0), cumulativeTokens,
            v.getOrDefault("reward_mean", Double.NaN), v.getOrDefault("accuracy", Double.NaN),
            v.getOrDefault("worked_share", Double.NaN), v.getOrDefault("loss", Double.NaN),
            v.getOrDefault("clip_fraction", Double.NaN), v.getOrDefault("approx_kl", Double.NaN), v.getOrDefault("entropy", Double.NaN),
            v.getOrDefault("grad_norm", Double.NaN), v.getOrDefault("staleness", Double.NaN), v.getOrDefault("zero_signal_trees", 0.0)
        };
        rows.add(row);
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < row.length; i++) {
            line.append(i == 0 ? "" : ",").append(format(row[i]));
        }
        try {
            csv.write(line.append('\n').toString());
            csv.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve("metrics.csv"), e);
        }
    }

    /** Adds one of the rollout's periodic records: its decode work and the weight swaps it saw. */
    public synchronized void addRollout(MetricsRecord record) {
        var v = record.getValues();
        rolloutDecodedTokens += v.getOrDefault("decoded_tokens", 0.0);
        rolloutProcessedTokens += v.getOrDefault("processed_tokens", 0.0);
        rolloutRoundSeconds += v.getOrDefault("round_seconds", 0.0);
        v.forEach((key, value) -> {
            if (key.startsWith("swap_latency_ms")) {
                swapLatenciesMs.add(value);
            } else if (key.startsWith("swap_arrival_ms")) {
                arrivalLatenciesMs.add(value);
            }
        });
    }

    /**
     * Writes {@code summary.txt}: the job's own decode speed (decoded tokens per second of rounds,
     * the figure to hold against {@code bench sampling}) and the weight-swap latency (publish to
     * decoding with it). Returns its lines.
     */
    public synchronized List<String> writeSummary() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "training batches: %d", rows.size()));
        if (!heldOut.isEmpty()) {
            HeldOutPoint first = heldOut.get(0);
            HeldOutPoint last = heldOut.get(heldOut.size() - 1);
            lines.add(String.format(Locale.ROOT, "held-out accuracy (greedy): %.1f%% at version %d -> %.1f%% at version %d (%+.1f points)",
                    100 * first.accuracy(), first.version(), 100 * last.accuracy(), last.version(), 100 * (last.accuracy() - first.accuracy())));
            if (!Double.isNaN(first.workedShare())) {
                lines.add(String.format(Locale.ROOT, "held-out answers worked step by step: %.1f%% at version %d -> %.1f%% at version %d",
                        100 * first.workedShare(), first.version(), 100 * last.workedShare(), last.version()));
            }
        }
        lines.add(String.format(Locale.ROOT, "rollout decode: %.0f tokens decoded in %.1f s of rounds = %.0f tokens/s (%.0f processed tokens/s incl. prefill and recompute)",
                rolloutDecodedTokens, rolloutRoundSeconds, rolloutDecodedTokens / Math.max(1e-9, rolloutRoundSeconds),
                rolloutProcessedTokens / Math.max(1e-9, rolloutRoundSeconds)));
        if (!swapLatenciesMs.isEmpty()) {
            List<Double> sorted = swapLatenciesMs.stream().sorted().toList();
            lines.add(String.format(Locale.ROOT, "weight swap latency (publish -> decoding with it): p50 %.0f ms, p90 %.0f ms, max %.0f ms over %d swaps",
                    percentile(sorted, 0.5), percentile(sorted, 0.9), sorted.get(sorted.size() - 1), sorted.size()));
            List<Double> arrivals = arrivalLatenciesMs.stream().sorted().toList();
            lines.add(String.format(Locale.ROOT, "  of which publish -> arrival at the rollout: p50 %.0f ms, p90 %.0f ms",
                    percentile(arrivals, 0.5), percentile(arrivals, 0.9)));
        } else {
            lines.add("weight swap latency: no swap observed");
        }
        Files.write(dir.resolve("summary.txt"), lines);
        return lines;
    }

    private static double percentile(List<Double> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * sorted.size())));
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
        files.add(chart(dir.resolve("reward_vs_step.png"), "Reward and accuracy by training batch", "training batch", "share", step,
                new int[] {reward, accuracy}, new String[] {"mean reward", "accuracy (reward 1)"}));
        files.add(chart(dir.resolve("reward_vs_tokens.png"), "Reward and accuracy by sampled tokens", "sampled response tokens", "share", tokens,
                new int[] {reward, accuracy}, new String[] {"mean reward", "accuracy (reward 1)"}));
        files.add(chart(dir.resolve("entropy_vs_step.png"), "Policy entropy by training batch", "training batch", "mean token entropy (nats)", step,
                new int[] {entropy}, new String[] {"entropy"}));
        workedChart().ifPresent(files::add);
        if (!heldOut.isEmpty()) {
            double[] versions = heldOut.stream().mapToDouble(HeldOutPoint::version).toArray();
            double[] sampled = heldOut.stream().mapToDouble(HeldOutPoint::sampledTokens).toArray();
            double[] scores = heldOut.stream().mapToDouble(HeldOutPoint::accuracy).toArray();
            files.add(lineChart(dir.resolve("heldout_vs_step.png"), "Held-out accuracy (greedy) by training batch", "training batch",
                    "held-out accuracy", List.of(new Series("held-out accuracy", versions, scores))));
            files.add(lineChart(dir.resolve("heldout_vs_tokens.png"), "Held-out accuracy (greedy) by sampled tokens",
                    "sampled response tokens", "held-out accuracy", List.of(new Series("held-out accuracy", sampled, scores))));
        }
        return files;
    }

    /**
     * The share of worked responses over time, sampled (per batch, with a trend line on long runs) and
     * held-out; none when the task does not tell worked responses.
     */
    private Optional<Path> workedChart() throws IOException {
        int time = COLUMNS.indexOf("time_s");
        int worked = COLUMNS.indexOf("worked_share");
        List<double[]> told = rows.stream().filter(r -> !Double.isNaN(r[worked])).toList();
        List<HeldOutPoint> heldOutTold = heldOut.stream().filter(p -> !Double.isNaN(p.workedShare())).toList();
        if (told.isEmpty() && heldOutTold.isEmpty()) {
            return Optional.empty();
        }
        List<Series> series = new ArrayList<>();
        if (!told.isEmpty()) {
            double[] xs = told.stream().mapToDouble(r -> r[time]).toArray();
            double[] ys = told.stream().mapToDouble(r -> r[worked]).toArray();
            series.add(new Series("sampled responses, per batch", xs, ys));
            if (told.size() >= 2 * TREND_BATCHES) {
                series.add(new Series("sampled, mean of the last " + TREND_BATCHES, xs, trailingMean(ys, TREND_BATCHES)));
            }
        }
        if (!heldOutTold.isEmpty()) {
            series.add(new Series("held-out answers (greedy)", heldOutTold.stream().mapToDouble(HeldOutPoint::timeSeconds).toArray(),
                    heldOutTold.stream().mapToDouble(HeldOutPoint::workedShare).toArray()));
        }
        return Optional.of(lineChart(dir.resolve("worked_vs_time.png"), "Share of responses worked step by step", "seconds", "share", series));
    }

    private Path chart(Path file, String title, String xTitle, String yTitle, int x, int[] ys, String[] names) throws IOException {
        double[] xs = rows.stream().mapToDouble(r -> r[x]).toArray();
        List<Series> series = new ArrayList<>();
        for (int i = 0; i < ys.length; i++) {
            int column = ys[i];
            series.add(new Series(names[i], xs, rows.stream().mapToDouble(r -> Double.isNaN(r[column]) ? 0 : r[column]).toArray()));
        }
        // Per batch, a long run's reward is mostly noise (16 trees a point); a trailing mean shows the trend.
        if (rows.size() >= 2 * TREND_BATCHES) {
            Series first = series.get(0);
            series.add(new Series(first.name() + ", mean of the last " + TREND_BATCHES, xs, trailingMean(first.ys(), TREND_BATCHES)));
        }
        return lineChart(file, title, xTitle, yTitle, series);
    }

    /** Each value replaced by the mean of it and the {@code window - 1} before it (fewer at the start). */
    static double[] trailingMean(double[] ys, int window) {
        double[] out = new double[ys.length];
        double sum = 0;
        for (int i = 0; i < ys.length; i++) {
            sum += ys[i];
            if (i >= window) sum -= ys[i - window];
            out[i] = sum / Math.min(i + 1, window);
        }
        return out;
    }

    /** A PNG line chart; a y title containing "share" or "accuracy" gets the axis 0 to 1. Returns the file. */
    public static Path lineChart(Path file, String title, String xTitle, String yTitle, List<Series> series) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendVisible(true);
        if (yTitle.equals("share") || yTitle.contains("accuracy")) {
            chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        }
        for (Series s : series) {
            chart.addSeries(s.name(), s.xs(), s.ys()).setMarker(s.xs().length > 40 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /**
     * A PNG chart of bands, each its mean line over its min..max range shaded in the line's colour (no
     * band where min and max agree everywhere: a single run). Axes as {@link #lineChart}. Returns the file.
     */
    public static Path bandChart(Path file, String title, String xTitle, String yTitle, List<Band> bands) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendVisible(true);
        if (yTitle.equals("share") || yTitle.contains("accuracy")) {
            chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        }
        Color[] palette = chart.getStyler().getSeriesColors();
        for (int i = 0; i < bands.size(); i++) {
            Band b = bands.get(i);
            Color color = palette[i % palette.length];
            if (!Arrays.equals(b.min(), b.max())) {
                // the band's outline: along the maxima, then back along the minima
                int n = b.xs().length;
                double[] xs = new double[2 * n];
                double[] ys = new double[2 * n];
                for (int j = 0; j < n; j++) {
                    xs[j] = b.xs()[j];
                    ys[j] = b.max()[j];
                    xs[2 * n - 1 - j] = b.xs()[j];
                    ys[2 * n - 1 - j] = b.min()[j];
                }
                XYSeries band = chart.addSeries(b.name() + ", min..max", xs, ys);
                band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
                band.setMarker(SeriesMarkers.NONE);
                band.setFillColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 60));
                band.setLineColor(new Color(0, 0, 0, 0));
            }
            XYSeries mean = chart.addSeries(b.name() + ", mean", b.xs(), b.mean());
            mean.setMarker(b.xs().length > 40 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            mean.setLineColor(color);
            mean.setMarkerColor(color);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /** A CSV cell: empty for NaN (a figure the run does not have). */
    private static String format(double value) {
        if (Double.isNaN(value)) return "";
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : String.format(Locale.ROOT, "%.6g", value);
    }

    @Override
    public synchronized void close() throws IOException {
        csv.close();
        heldOutCsv.close();
    }
}
