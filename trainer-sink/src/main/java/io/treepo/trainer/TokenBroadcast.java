package io.treepo.trainer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Shared steps of the estimators: values over tokens, and whitening over a batch's valid tokens. */
final class TokenBroadcast {
    /** The variance floor of TreePO's whitening. */
    static final double WHITEN_EPS = 1e-8;

    private TokenBroadcast() {}

    /** One value for every token of the leaf. */
    static float[] leafWide(GroupLeaf leaf, double value) {
        float[] tokens = new float[leaf.responseLength()];
        Arrays.fill(tokens, (float) value);
        return tokens;
    }

    /** One value per segment, over that segment's tokens. */
    static float[] perSegment(GroupLeaf leaf, double[] segmentValues) {
        float[] tokens = new float[leaf.responseLength()];
        int at = 0;
        for (int s = 0; s < segmentValues.length; s++) {
            Arrays.fill(tokens, at, at + leaf.segmentLengths()[s], (float) segmentValues[s]);
            at += leaf.segmentLengths()[s];
        }
        return tokens;
    }

    /**
     * {@code (A - mu) / sqrt(var + 1e-8)} with the mean and (population) variance over every token of
     * the batch, each token weighing the same, as TreePO's trainer does; in place.
     */
    static void whiten(List<float[]> batch) {
        double sum = 0;
        long n = 0;
        for (float[] leaf : batch) {
            for (float a : leaf) {
                sum += a;
                n++;
            }
        }
        if (n == 0) {
            return;
        }
        double mean = sum / n;
        double squares = 0;
        for (float[] leaf : batch) {
            for (float a : leaf) {
                squares += (a - mean) * (a - mean);
            }
        }
        double scale = 1 / Math.sqrt(squares / n + WHITEN_EPS);
        for (float[] leaf : batch) {
            for (int t = 0; t < leaf.length; t++) {
                leaf[t] = (float) ((leaf[t] - mean) * scale);
            }
        }
    }

    /** Wraps per-leaf token arrays, all kept, into the result shape. */
    static Advantages allKept(List<LeafGroup> groups, List<List<float[]>> values) {
        List<Advantages.GroupAdvantages> out = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            out.add(new Advantages.GroupAdvantages(groups.get(g).groupId(), !groups.get(g).hasSignal(),
                    values.get(g).stream().map(t -> new Advantages.LeafAdvantage(t, true)).toList()));
        }
        return new Advantages(out);
    }
}
