package io.treepo.policy;

import ai.djl.ndarray.NDArray;

/**
 * Per-response-token figures of a batch of {@link TrainSequence}s under the current weights, with
 * gradients attached: what a policy loss is computed from. All arrays are (B, T) float32, padded on
 * the right to the longest response; {@code mask} is 1 on real response tokens and 0 on padding.
 * Row b, column t is the t-th response token of sequence b.
 */
public record TokenLogProbs(NDArray logProbs, NDArray entropies, NDArray mask) {}
