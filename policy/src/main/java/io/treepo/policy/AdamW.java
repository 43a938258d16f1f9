package io.treepo.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW over named parameters: first and second moments per parameter and the step count, all
 * exportable as plain floats so a checkpoint can hold them. Updates in place; call with grad mode off.
 */
final class AdamW {
    private final TrainerConfig config;
    private final Map<String, NDArray> first = new LinkedHashMap<>();
    private final Map<String, NDArray> second = new LinkedHashMap<>();
    private long step;

    AdamW(TrainerConfig config, Map<String, NDArray> parameters, NDManager manager) {
        this.config = config;
        parameters.forEach((name, p) -> {
            first.put(name, manager.zeros(p.getShape()));
            second.put(name, manager.zeros(p.getShape()));
        });
    }

    /** One update: {@code grads} scaled by {@code gradScale} (clipping), then bias-corrected Adam plus decoupled decay. */
    void update(Map<String, NDArray> parameters, Map<String, NDArray> grads, float gradScale, float lr) {
        step++;
        float b1 = config.beta1();
        float b2 = config.beta2();
        double correction1 = 1 - Math.pow(b1, step);
        double correction2 = 1 - Math.pow(b2, step);
        parameters.forEach((name, p) -> {
            NDArray g = grads.get(name).mul(gradScale);
            NDArray m = first.get(name).muli(b1).addi(g.mul(1 - b1));
            NDArray v = second.get(name).muli(b2).addi(g.square().muli(1 - b2));
            NDArray denominator = v.div(correction2).sqrt().addi(config.epsilon());
            if (p.getShape().dimension() >= 2) { // matrices and embeddings decay; norm gains and biases do not
                p.muli(1 - lr * config.weightDecay());
            }
            p.subi(m.div(denominator).muli(lr / correction1));
        });
    }

    long step() {
        return step;
    }

    /** Moments in parameter order: first then second, one float[] per parameter each. */
    Map<String, float[][]> exportMoments() {
        Map<String, float[][]> out = new LinkedHashMap<>();
        first.forEach((name, m) -> out.put(name, new float[][] {m.toFloatArray(), second.get(name).toFloatArray()}));
        return out;
    }

    void importState(long restoredStep, Map<String, float[][]> moments) {
        if (!moments.keySet().equals(first.keySet())) {
            throw new IllegalArgumentException("optimizer state names differ: expected " + first.keySet() + ", got " + moments.keySet());
        }
        moments.forEach((name, m) -> {
            first.get(name).set(m[0]);
            second.get(name).set(m[1]);
        });
        step = restoredStep;
    }
}
