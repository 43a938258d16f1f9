package io.treepo.rollout.reward;

import io.treepo.tasks.ArithmeticTask;
import io.treepo.tasks.Task;
import java.io.Serializable;

/**
 * How a response becomes its reward: the task's verifier on the answer and, with
 * {@code checkWork}, for arithmetic also the worked steps. A small policy often reaches the right
 * answer after a wrong step, and rewarding that teaches the wrong step (BENCHMARKS.md, Learning);
 * checking the work scores such a leaf 0. Held-out accuracy stays the task's own score.
 *
 * @param checkWork a right arithmetic answer scores 1 only when every worked step is true
 */
public record RewardRule(boolean checkWork) implements Serializable {

    /** The task's score, nothing more. */
    public static final RewardRule ANSWER_ONLY = new RewardRule(false);

    /**
     * @param reward in [0, 1]
     * @param extractedAnswer what the verifier read as the answer, or null
     * @param rightAnswerWrongWork the answer is right but a worked step is not (whether or not it was checked)
     * @param worked whether the response works step by step, for a task that tells ({@link Task#worked}); null otherwise.
     *     Not part of the reward: the loop reports the share of worked responses
     */
    public record Reward(double reward, String extractedAnswer, boolean rightAnswerWrongWork, Boolean worked) {}

    public Reward score(Task task, String response, String reference) {
        Task.Score score = task.score(response, reference);
        boolean wrongWork = score.reward() >= 1 && task instanceof ArithmeticTask && !ArithmeticTask.workIsValid(response);
        return new Reward(checkWork && wrongWork ? 0 : score.reward(), score.extractedAnswer(), wrongWork, task.worked(response).orElse(null));
    }
}
