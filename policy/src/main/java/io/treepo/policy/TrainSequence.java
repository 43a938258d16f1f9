package io.treepo.policy;

/** One sequence to score for training: the prompt (context only) and the sampled response. */
public record TrainSequence(int[] promptTokens, int[] responseTokens) {
    public TrainSequence {
        if (promptTokens.length == 0) throw new IllegalArgumentException("promptTokens is empty");
        if (responseTokens.length == 0) throw new IllegalArgumentException("responseTokens is empty");
    }
}
