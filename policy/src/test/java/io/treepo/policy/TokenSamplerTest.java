package io.treepo.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenSamplerTest {
    private static final float[] LOGITS = {2.0f, 1.0f, 0.5f, -1.0f, 3.0f, -4.0f};

    /** The distribution a config samples from, computed the plain way: softmax, truncate, renormalise. */
    private static double[] expected(SamplingConfig config, float[] logits) {
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) sum += p[i] = Math.exp(logits[i] / config.temperature());
        for (int i = 0; i < p.length; i++) p[i] /= sum;
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < p.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        int keep = config.topK() > 0 ? config.topK() : p.length;
        double mass = 0;
        int n = 0;
        while (n < keep && mass < config.topP()) mass += p[order[n++]];
        for (int i = n; i < p.length; i++) p[order[i]] = 0;
        for (int i = 0; i < p.length; i++) p[i] /= mass;
        return p;
    }

    @Test
    void logProbEntropyAndFrequenciesAreThoseOfTheTruncatedDistribution() {
        for (SamplingConfig config : new SamplingConfig[] {
                new SamplingConfig(1f, 0, 1f), new SamplingConfig(0.7f, 0, 1f), new SamplingConfig(1f, 3, 1f), new SamplingConfig(1.3f, 0, 0.8f)}) {
            double[] p = expected(config, LOGITS);
            double entropy = 0;
            for (double q : p) if (q > 0) entropy -= q * Math.log(q);
            TokenSampler sampler = new TokenSampler(config, LOGITS.length);
            SplittableRandom random = new SplittableRandom(5);
            int[] counts = new int[LOGITS.length];
            int draws = 20_000;
            for (int d = 0; d < draws; d++) {
                TokenSampler.Draw draw = sampler.draw(LOGITS, 0, random);
                counts[draw.token()]++;
                assertEquals(Math.log(p[draw.token()]), draw.logProb(), 1e-6, config + " token " + draw.token());
                assertEquals(entropy, draw.entropy(), 1e-6, config.toString());
            }
            for (int i = 0; i < p.length; i++) {
                assertEquals(p[i], counts[i] / (double) draws, 0.015, config + " frequency of token " + i);
            }
        }
    }

    @Test
    void readsItsRowAtTheOffset() {
        float[] twoRows = new float[2 * LOGITS.length];
        System.arraycopy(LOGITS, 0, twoRows, LOGITS.length, LOGITS.length);
        TokenSampler.Draw draw = new TokenSampler(SamplingConfig.greedy(), LOGITS.length).draw(twoRows, LOGITS.length, new SplittableRandom(1));
        assertEquals(4, draw.token());
    }
}
