package io.treepo.trainer;

/**
 * Health figures of one policy loss, over valid tokens.
 *
 * @param clipFraction share of tokens whose clipped term is the one in effect
 * @param approxKl mean k3 estimate of KL(pi || behaviour)
 * @param entropyMean mean entropy of the current policy
 * @param advantageMean mean advantage
 * @param advantageStd standard deviation of the advantages
 * @param tokens valid tokens
 */
public record PpoDiagnostics(
        double clipFraction, double approxKl, double entropyMean, double advantageMean, double advantageStd, long tokens) {}
