package io.treepo.tasks;

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

    /** Reward in [0,1] for a response, with the answer extracted from it (null if none found). */
    Score score(String response, String reference);

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
        public boolean hasAnswer() {
            return extractedAnswer != null;
        }
    }
}
