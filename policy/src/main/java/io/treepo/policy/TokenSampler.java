package io.treepo.policy;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws one token from a row of logits on the Java side, and reports the drawn token's log-prob
 * and the entropy of the distribution actually sampled from (after temperature, top-k, top-p).
 * Double precision throughout, so the figures match a float32 log-softmax to ~1e-6.
 */
final class TokenSampler {
    private final SamplingConfig config;
    private final double[] probs;
    private final Integer[] order;

    /** The result of one draw. */
    record Draw(int token, float logProb, float entropy) {}

    TokenSampler(SamplingConfig config, int vocab) {
        this.config = config;
        this.probs = new double[vocab];
        this.order = new Integer[vocab];
    }

    Draw draw(float[] logits, int offset, SplittableRandom random) {
        int vocab = probs.length;
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
            probs[i] = l >= cutoff ? Math.exp((l - max) / config.temperature()) : 0;
            sum += probs[i];
        }
        for (int i = 0; i < vocab; i++) probs[i] /= sum;
        if (config.topP() < 1f) {
            keepNucleus();
        }
        double u = random.nextDouble();
        int token = -1;
        double cumulative = 0;
        double entropy = 0;
        for (int i = 0; i < vocab; i++) {
            if (probs[i] > 0) {
                entropy -= probs[i] * Math.log(probs[i]);
                cumulative += probs[i];
                if (token < 0 && u < cumulative) token = i;
            }
        }
        if (token < 0) { // u beyond the rounded total: take the last token with mass
            for (int i = vocab - 1; i >= 0 && token < 0; i--) if (probs[i] > 0) token = i;
        }
        return new Draw(token, (float) Math.log(probs[token]), (float) entropy);
    }

    /** Zeroes all but the most probable tokens whose mass first reaches topP, and renormalises. */
    private void keepNucleus() {
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
        double mass = 0;
        int kept = 0;
        while (kept < order.length && mass < config.topP()) {
            mass += probs[order[kept++]];
        }
        for (int i = kept; i < order.length; i++) probs[order[i]] = 0;
        for (int i = 0; i < kept; i++) probs[order[i]] /= mass;
    }
}
