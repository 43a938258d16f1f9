package io.treepo.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import io.treepo.policy.TokenLogProbs;

/**
 * PPO's clipped policy loss with clip-higher and dual clip, token-mean over valid tokens (TREEPO.md
 * section 4). Ratios are taken against the behaviour log-probs recorded at sampling, so segments an
 * older policy version produced are corrected. Built from NDArray operations on the trainer's
 * {@link TokenLogProbs}, so the gradient flows to the weights.
 *
 * <p>Per valid token, with {@code r = exp(logp - logp_behaviour)}:
 * {@code l = max(-A r, -A clip(r, 1 - epsLow, 1 + epsHigh))}, and for {@code A < 0}
 * {@code l = min(l, -A c)}. The optional KL term is the k3 estimator against the behaviour policy,
 * {@code exp(b - logp) - 1 - (b - logp)}: unbiased for KL(pi || behaviour) under samples of pi,
 * never negative, and needs no reference model (the behaviour policy is the anchor).
 */
public final class PpoLoss {
    private final PpoConfig config;

    public PpoLoss(PpoConfig config) {
        this.config = config;
    }

    /**
     * @param current the trainer's forward pass, (B, T) with gradients
     * @param behaviourLogProbs (B, T) recorded at sampling, 0 on padding
     * @param advantages (B, T), 0 on padding
     */
    public PpoResult compute(TokenLogProbs current, NDArray behaviourLogProbs, NDArray advantages) {
        // Scalars go in as float: a double would promote the arrays to float64.
        NDArray mask = current.mask();
        // Masking before exp keeps padding at ratio 1: a padded position's log-prob is arbitrary.
        NDArray logRatio = current.logProbs().sub(behaviourLogProbs).mul(mask);
        NDArray ratio = logRatio.exp();
        NDArray negAdv = advantages.neg();
        NDArray unclipped = negAdv.mul(ratio);
        NDArray clippedRatio = negAdv.mul(ratio.clip((float) (1 - config.epsLow()), (float) (1 + config.epsHigh())));
        NDArray clipped = NDArrays.maximum(unclipped, clippedRatio);
        NDArray dual = NDArrays.minimum(clipped, negAdv.mul((float) config.dualClip()));
        NDArray perToken = NDArrays.where(advantages.lt(0), dual, clipped);

        NDArray tokens = mask.sum().maximum(1f);
        NDArray k3 = logRatio.neg().exp().sub(1).add(logRatio).mul(mask);
        NDArray loss = perToken.mul(mask).sum().div(tokens);
        if (config.klCoef() > 0) {
            loss = loss.add(k3.sum().div(tokens).mul((float) config.klCoef()));
        }
        return new PpoResult(loss, diagnostics(current, advantages, mask, tokens, unclipped, clippedRatio, k3));
    }

    private static PpoDiagnostics diagnostics(
            TokenLogProbs current, NDArray advantages, NDArray mask, NDArray tokens, NDArray unclipped, NDArray clipped, NDArray k3) {
        double n = tokens.getFloat();
        NDArray clippedTokens = clipped.gt(unclipped).toType(DataType.FLOAT32, false).mul(mask);
        double advMean = advantages.mul(mask).sum().getFloat() / n;
        double advVar = advantages.sub((float) advMean).square().mul(mask).sum().getFloat() / n;
        return new PpoDiagnostics(
                clippedTokens.sum().getFloat() / n,
                k3.sum().getFloat() / n,
                current.entropies().mul(mask).sum().getFloat() / n,
                advMean,
                Math.sqrt(advVar),
                (long) n);
    }

    /** The scalar loss (gradients attached) and what to log about it. */
    public record PpoResult(NDArray loss, PpoDiagnostics diagnostics) {}
}
