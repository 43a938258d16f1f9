package io.treepo.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TasksTest {

    @Test
    void listsTheKnownNames() {
        assertEquals(List.of("arithmetic", "strategy-arithmetic", "echo", "gsm8k", "math"), Tasks.names());
    }

    @ParameterizedTest
    @ValueSource(strings = {"arithmetic", "echo", "gsm8k", "math"})
    void everyNameGivesATaskOfThatName(String name) {
        assertEquals(name, Tasks.byName(name).name());
    }

    @Test
    void difficultySelectsTheLevel() {
        assertEquals(ArithmeticConfig.DEFAULT, ((ArithmeticTask) Tasks.byName("arithmetic")).config());
        assertEquals(ArithmeticConfig.level(4), ((ArithmeticTask) Tasks.byName("arithmetic", 4)).config());
        assertEquals(5, assertInstanceOf(EchoTask.class, Tasks.byName("echo", 5)).maxDigits());
    }

    @Test
    void anUnknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tasks.byName("chess"));
        assertEquals("unknown task 'chess'; known tasks: arithmetic, strategy-arithmetic, echo, gsm8k, math", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tasks.byName("chess", 1));
    }

    @Test
    void datasetTasksRefuseADifficulty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tasks.byName("math", 3));
        assertEquals("task 'math' has no difficulty levels; use Tasks.byName(name)", e.getMessage());
    }
}
