package io.treepo.trainer;

import java.io.Serializable;

/**
 * The policy loss's settings (TREEPO.md section 4).
 *
 * @param epsLow lower clip of the ratio: {@code 1 - epsLow}
 * @param epsHigh upper clip, {@code 1 + epsHigh}; above {@code epsLow} ("clip-higher") so unlikely
 *     tokens with positive advantage can still grow, which keeps entropy from collapsing
 * @param dualClip {@code c}: for negative advantages the loss is at most {@code -A * c}, so a huge
 *     ratio on a bad token cannot blow the update up
 * @param klCoef weight of a KL penalty to the behaviour policy (0: none, the paper's setting)
 * @param epochs passes over each training batch (the paper: one); later passes learn more from the
 *     same samples, the clip keeping each token's ratio to the behaviour policy in bounds
 */
public record PpoConfig(double epsLow, double epsHigh, double dualClip, double klCoef, int epochs) implements Serializable {

    public PpoConfig {
        if (!(epsLow > 0 && epsLow < 1)) throw new IllegalArgumentException("epsLow must be in (0, 1), got " + epsLow);
        if (!(epsHigh > 0)) throw new IllegalArgumentException("epsHigh must be > 0, got " + epsHigh);
        if (!(dualClip > 1)) throw new IllegalArgumentException("dualClip must be > 1, got " + dualClip);
        if (!(klCoef >= 0)) throw new IllegalArgumentException("klCoef must be >= 0, got " + klCoef);
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
    }

    /** The paper's: eps 0.2 / 0.28, dual clip 10, no KL term, one epoch. */
    public static PpoConfig defaults() {
        return new PpoConfig(0.2, 0.28, 10, 0, 1);
    }

    public PpoConfig withKlCoef(double coef) {
        return new PpoConfig(epsLow, epsHigh, dualClip, coef, epochs);
    }

    public PpoConfig withEpochs(int passes) {
        return new PpoConfig(epsLow, epsHigh, dualClip, klCoef, passes);
    }
}
