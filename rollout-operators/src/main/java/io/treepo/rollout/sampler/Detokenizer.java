package io.treepo.rollout.sampler;

/** Token ids to text: the repetition rule counts characters and answer checks read text. */
@FunctionalInterface
public interface Detokenizer {
    String text(int[] tokens);
}
