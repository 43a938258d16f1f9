package io.treepo.policy;

/**
 * What one {@link PolicyTrainer#step} did.
 *
 * @param step applied updates so far (unchanged by a skipped step)
 * @param loss the loss before the update
 * @param gradNorm global gradient norm before clipping (NaN when the loss was not finite)
 * @param learningRate the rate used (0 when skipped)
 * @param skipped true when the loss or gradient norm was NaN/Inf and nothing was applied
 * @param responseTokens real (unpadded) response tokens in the batch
 */
public record StepResult(long step, double loss, double gradNorm, double learningRate, boolean skipped, int responseTokens) {}
