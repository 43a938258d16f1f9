package io.treepo.policy;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws one token from a row of logits on the Java side, and reports the drawn token's log-prob
 * and the entropy of the distribution actually sampled from (after temperature, top-k, top-p).
 * Double precision throughout, so the figures match a float32 log-softmax to ~1e-6.
 *
 * <p>Works on unnormalised weights w = exp(z), z = (logit - max) / temperature, with S their sum:
 * log p = z - log S and entropy = log S - sum(w z) / S, so a draw takes one exp per vocabulary entry
 * and one log (this runs for every decoded token).
 */
final class TokenSampler {
    private final SamplingConfig config;
    private final double[] scaled; // z
    private final double[] weights; // w, 0 outside top-k / top-p
    private final Integer[] order;

    /** The result of one draw. */
    record Draw(int token, float logProb, float entropy) {}

    TokenSampler(SamplingConfig config, int vocab) {
        this.config = config;
        this.scaled = new double[vocab];
        this.weights = new double[vocab];
        this.order = new Integer[vocab];
    }

    Draw draw(float[] logits, int offset, SplittableRandom random) {
        int vocab = weights.length;
        if (config.isGreedy()) {
            int best = 0;
            for (int i = 1; i < vocab; i++) if (logits[offset + i] > logits[offset + best]) best = i;
            return new Draw(best, 0f, 0f);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) max = Math.max(max, logits[offset + i]);
        double cutoff = Double.NEGATIVE_INFINITY;
        if (config.topK() > 0 && config.topK() < vocab) {
            float[] sorted = Arrays.copyOfRange(logits, offset, offset + vocab);
            Arrays.sort(sorted);
            cutoff = sorted[vocab - config.topK()];
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            double l = logits[offset + i];
            scaled[i] = (l - max) / config.temperature();
            weights[i] = l >= cutoff ? Math.exp(scaled[i]) : 0;
            sum += weights[i];
        }
        if (config.topP() < 1f) {
            sum = keepNucleus(sum);
        }
        double weightedScaled = 0;
        for (int i = 0; i < vocab; i++) {
            if (weights[i] > 0) weightedScaled += weights[i] * scaled[i];
        }
        double target = random.nextDouble() * sum;
        int token = -1;
        double cumulative = 0;
        for (int i = 0; i < vocab && token < 0; i++) {
            cumulative += weights[i];
            if (weights[i] > 0 && target < cumulative) token = i;
        }
        if (token < 0) { // target beyond the rounded total: take the last token with mass
            for (int i = vocab - 1; i >= 0 && token < 0; i--) if (weights[i] > 0) token = i;
        }
        double logSum = Math.log(sum);
        return new Draw(token, (float) (scaled[token] - logSum), (float) (logSum - weightedScaled / sum));
    }

    /** Zeroes all but the heaviest tokens whose share of {@code sum} first reaches topP; returns the kept sum. */
    private double keepNucleus(double sum) {
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(weights[b], weights[a]));
        double kept = 0;
        int n = 0;
        while (n < order.length && kept < config.topP() * sum) {
            kept += weights[order[n++]];
        }
        for (int i = n; i < order.length; i++) weights[order[i]] = 0;
        return kept;
    }
}
