package io.treepo.cli;

import io.treepo.report.RunReport;
import io.treepo.report.RunReport.HeldOutPoint;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The figures {@code compare} holds samplers to, over several runs (seeds) of each: held-out
 * accuracy as a step function of sampled tokens or of time per run, its mean and spread over a
 * sampler's runs, and the sampled tokens a sampler's mean curve needs to reach a target accuracy.
 * Plain Java: the command runs the loops, this only counts.
 *
 * <p>A run's accuracy at {@code x} is that of the last held-out point at or before {@code x}: the
 * newest version scored by then. Before its first point (the warm start's) a run holds that first
 * score; past its last point it holds its last, the policy it ended with.
 */
final class Comparison {

    /** Held-out points by sampled tokens (the x of the accuracy-per-token comparison). */
    static final ToDoubleFunction<HeldOutPoint> TOKENS = HeldOutPoint::sampledTokens;
    /** Held-out points by seconds since the run's start. */
    static final ToDoubleFunction<HeldOutPoint> SECONDS = HeldOutPoint::timeSeconds;

    private Comparison() {}

    /** One finished run of a sampler, as the comparison sees it. */
    record Run(String sampler, long seed, List<double[]> rows, List<HeldOutPoint> heldOut) {
        double sum(String column) {
            int c = RunReport.COLUMNS.indexOf(column);
            return rows.stream().mapToDouble(r -> Double.isNaN(r[c]) ? 0 : r[c]).sum();
        }

        double seconds() {
            int c = RunReport.COLUMNS.indexOf("time_s");
            return rows.isEmpty() ? 0 : rows.get(rows.size() - 1)[c];
        }

        double startAccuracy() {
            return heldOut.isEmpty() ? Double.NaN : heldOut.get(0).accuracy();
        }

        double finalAccuracy() {
            return heldOut.isEmpty() ? Double.NaN : heldOut.get(heldOut.size() - 1).accuracy();
        }

        /** The last held-out point's {@code x}: how far the run got; NaN without points. */
        double end(ToDoubleFunction<HeldOutPoint> x) {
            return heldOut.isEmpty() ? Double.NaN : x.applyAsDouble(heldOut.get(heldOut.size() - 1));
        }

        /** Held-out accuracy at {@code at}, as the class comment says; NaN without points. */
        double accuracyAt(ToDoubleFunction<HeldOutPoint> x, double at) {
            double accuracy = heldOut.isEmpty() ? Double.NaN : heldOut.get(0).accuracy();
            for (HeldOutPoint p : heldOut) {
                if (x.applyAsDouble(p) <= at) {
                    accuracy = p.accuracy();
                }
            }
            return accuracy;
        }

        Map<String, Object> figures() {
            Map<String, Object> m = new LinkedHashMap<>();
            double trajectories = sum("leaves");
            double tokens = sum("sampled_tokens");
            m.put("sampler", sampler);
            m.put("seed", seed);
            m.put("trainingBatches", rows.size());
            m.put("trajectories", (long) trajectories);
            m.put("sampledTokens", (long) tokens);
            m.put("tokensPerTrajectory", trajectories == 0 ? Double.NaN : tokens / trajectories);
            m.put("trajectoryLength", trajectories == 0 ? Double.NaN : sum("trajectory_tokens") / trajectories);
            m.put("trajectoriesPerSecond", seconds() == 0 ? Double.NaN : trajectories / seconds());
            m.put("startAccuracy", startAccuracy());
            m.put("finalAccuracy", finalAccuracy());
            m.put("heldOut", heldOut);
            return m;
        }
    }

    /** Mean, sample standard deviation (NaN for one value) and range of some runs' figures. */
    record Spread(int n, double mean, double std, double min, double max) {
        static Spread of(double[] values) {
            double mean = Arrays.stream(values).average().orElse(Double.NaN);
            double squares = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum();
            return new Spread(values.length, mean, values.length < 2 ? Double.NaN : Math.sqrt(squares / (values.length - 1)),
                    Arrays.stream(values).min().orElse(Double.NaN), Arrays.stream(values).max().orElse(Double.NaN));
        }

        static Spread of(List<Run> runs, ToDoubleFunction<Run> figure) {
            return of(runs.stream().mapToDouble(figure).toArray());
        }

        /** {@code 75.2% ± 1.3 [74.3..76.1]} for a share; a single run's value alone. */
        String percent() {
            return n < 2 ? String.format(java.util.Locale.ROOT, "%.1f%%", 100 * mean)
                    : String.format(java.util.Locale.ROOT, "%.1f%% ± %.1f [%.1f..%.1f]", 100 * mean, 100 * std, 100 * min, 100 * max);
        }
    }

    /**
     * A sampler's runs on one x axis: at every x where one of them has a point, the mean, min and max of
     * their accuracies there.
     */
    static RunReport.Band band(String name, List<Run> runs, ToDoubleFunction<HeldOutPoint> x) {
        double[] xs = runs.stream().flatMap(r -> r.heldOut().stream()).mapToDouble(x).distinct().sorted().toArray();
        double[] mean = new double[xs.length];
        double[] min = new double[xs.length];
        double[] max = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            double at = xs[i];
            Spread s = Spread.of(runs, r -> r.accuracyAt(x, at));
            mean[i] = s.mean();
            min[i] = s.min();
            max[i] = s.max();
        }
        return new RunReport.Band(name, xs, mean, min, max);
    }

    /** The first x at which the band's mean reaches {@code accuracy}; NaN when it never does. */
    static double firstReaching(RunReport.Band band, double accuracy) {
        for (int i = 0; i < band.xs().length; i++) {
            if (band.mean()[i] >= accuracy) {
                return band.xs()[i];
            }
        }
        return Double.NaN;
    }

    /** The largest x every run reached: where they all still have measured (not held) accuracy. */
    static double commonEnd(List<Run> runs, ToDoubleFunction<HeldOutPoint> x) {
        return runs.stream().mapToDouble(r -> r.end(x)).min().orElse(Double.NaN);
    }
}
