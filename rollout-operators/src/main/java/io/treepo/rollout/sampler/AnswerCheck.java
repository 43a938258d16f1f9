package io.treepo.rollout.sampler;

/**
 * Whether a response contains an answer (not whether it is right): separates FINISHED from plain EOS.
 * The operator builds one per prompt from its task, e.g. {@code text -> task.score(text, ref).hasAnswer()}.
 */
@FunctionalInterface
public interface AnswerCheck {
    boolean hasAnswer(String responseText);

    /** For prompts without a task: every EOS counts as plain EOS. */
    AnswerCheck NONE = text -> false;
}
