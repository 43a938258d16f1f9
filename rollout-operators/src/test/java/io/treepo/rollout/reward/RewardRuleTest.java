package io.treepo.rollout.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treepo.tasks.Task;
import io.treepo.tasks.Tasks;
import org.junit.jupiter.api.Test;

class RewardRuleTest {
    private static final Task ARITHMETIC = Tasks.byName("arithmetic");
    private static final String WRONG_WORK = "6+8=14, 14+3+9\n14+3=21, 21+9\n21+9=26\nA: 26";
    private static final String RIGHT_WORK = "6+8=14, 14+3+9\n14+3=17, 17+9\n17+9=26\nA: 26";

    @Test
    void checkingTheWorkTakesTheRewardFromARightAnswerAfterAWrongStep() {
        RewardRule.Reward answerOnly = RewardRule.ANSWER_ONLY.score(ARITHMETIC, WRONG_WORK, "26");
        assertEquals(1.0, answerOnly.reward());
        assertTrue(answerOnly.rightAnswerWrongWork(), "counted even when not checked");
        RewardRule.Reward checked = new RewardRule(true).score(ARITHMETIC, WRONG_WORK, "26");
        assertEquals(0.0, checked.reward());
        assertEquals("26", checked.extractedAnswer());
        assertTrue(checked.rightAnswerWrongWork());
    }

    @Test
    void rightWorkAndWrongAnswersScoreAsTheTaskSays() {
        RewardRule check = new RewardRule(true);
        assertEquals(1.0, check.score(ARITHMETIC, RIGHT_WORK, "26").reward());
        RewardRule.Reward wrongAnswer = check.score(ARITHMETIC, RIGHT_WORK.replace("A: 26", "A: 25"), "26");
        assertEquals(0.0, wrongAnswer.reward());
        assertFalse(wrongAnswer.rightAnswerWrongWork(), "a wrong answer is not counted as wrong work");
    }

    @Test
    void otherTasksHaveNoWorkToCheck() {
        Task echo = Tasks.byName("echo");
        Task.Problem p = echo.generate(3, Task.Split.TRAIN);
        RewardRule.Reward reward = new RewardRule(true).score(echo, p.solution(), p.reference());
        assertEquals(1.0, reward.reward());
        assertFalse(reward.rightAnswerWrongWork());
    }

    @Test
    void aStrategyResponseSaysWhetherItIsWorkedAndOtherTasksSayNothing() {
        Task strategy = Tasks.byName("strategy-arithmetic");
        assertEquals(Boolean.TRUE, RewardRule.ANSWER_ONLY.score(strategy, RIGHT_WORK, "26").worked());
        assertEquals(Boolean.FALSE, RewardRule.ANSWER_ONLY.score(strategy, "A: 26", "26").worked());
        assertNull(RewardRule.ANSWER_ONLY.score(ARITHMETIC, RIGHT_WORK, "26").worked(), "arithmetic has no choice of style");
    }
}
