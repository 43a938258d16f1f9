package io.treepo.tasks;

import java.util.Optional;

/**
 * A verifiable task: makes prompts with reference answers and scores responses against them.
 * Implementations are immutable and thread-safe, and know nothing of Flink or Kafka.
 */
public interface Task {

    /** The name prompts carry in their {@code task} field (e.g. {@code arithmetic}). */
    String name();

    /**
     * A problem, the same for the same seed and split. Train and held-out splits never share a
     * problem, by construction.
     */
    Problem generate(long seed, Split split);

    /**
     * Reward in [0,1] for a response, with the answer extracted from it (null if none found). By
     * default 1 when the extracted answer is {@linkplain Answers#equivalent equivalent} to the
     * reference, else 0.
     */
    default Score score(String response, String reference) {
        String answer = extractAnswer(response);
        return new Score(Answers.equivalent(answer, reference) ? 1.0 : 0.0, answer);
    }

    /**
     * The final answer a response states, or null when it states none. Works on partial
     * responses too: the response so far is all it reads.
     */
    String extractAnswer(String response);

    /** Whether the response so far states a final answer: the tree sampler's "answer found" check. */
    default boolean answerFound(String partialResponse) {
        return extractAnswer(partialResponse) != null;
    }

    /**
     * Whether a response works step by step rather than answering at once, for a task whose
     * responses may take either way (strategy-arithmetic); empty for a task without that choice.
     * The loop reports the share of worked responses, sampled and held-out, from this.
     */
    default Optional<Boolean> worked(String response) {
        return Optional.empty();
    }

    /**
     * The task whose warm start this task's continues from, for a task whose corpus alone would
     * teach a policy too little (strategy-arithmetic: a policy first learns to work problems out on
     * arithmetic's corpus, then meets the mixed one); empty when a warm start starts from scratch.
     */
    default Optional<String> warmStartBase() {
        return Optional.empty();
    }

    /** Which side of the train / held-out partition a problem comes from. */
    enum Split { TRAIN, HELD_OUT }

    /**
     * @param prompt what the policy is given
     * @param reference the answer a verifier compares against
     * @param solution a worked solution in the response format the verifier reads (for supervised
     *     warm-up), or null when the task has none
     */
    record Problem(String prompt, String reference, String solution) {}

    /** @param extractedAnswer the answer found in the response, or null when there is none */
    record Score(double reward, String extractedAnswer) {
        public Score {
            if (!(reward >= 0.0 && reward <= 1.0)) {
                throw new IllegalArgumentException("reward must be in [0,1], got " + reward);
            }
        }

        public boolean hasAnswer() {
            return extractedAnswer != null;
        }
    }
}
