package io.treepo.rollout.sampler;

/**
 * What a divergence policy knows of an active path.
 *
 * @param meanLogProb mean sampled-token log-prob over the path's whole response (its confidence)
 * @param lastSegmentEntropy mean token entropy of the path's last segment (where it stands now)
 */
public record PathStats(double meanLogProb, double lastSegmentEntropy) {}
