package io.treepo.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ArithmeticExpressionTest {

    @Test
    void productsFirstThenLeftToRight() {
        ArithmeticExpression e = new ArithmeticExpression(List.of(7L, 3L, 4L, 5L), List.of('+', '*', '-'));
        assertEquals("7+3*4-5", e.canonical());
        assertEquals(List.of("3*4=12, 7+12-5", "7+12=19, 19-5", "19-5=14"), e.steps());
        assertEquals(14, e.value());
    }

    @Test
    void chainedProductsGoLeftmostFirst() {
        ArithmeticExpression e = new ArithmeticExpression(List.of(2L, 3L, 4L, 5L, 6L), List.of('*', '*', '-', '*'));
        assertEquals(List.of("2*3=6, 6*4-5*6", "6*4=24, 24-5*6", "5*6=30, 24-30", "24-30=-6"), e.steps());
        assertEquals(-6, e.value());
    }

    @Test
    void subtractionIsLeftAssociative() {
        ArithmeticExpression e = new ArithmeticExpression(List.of(9L, 5L, 3L), List.of('-', '-'));
        assertEquals(List.of("9-5=4, 4-3", "4-3=1"), e.steps());
        assertEquals(1, e.value());
    }

    @Test
    void refusesMismatchedOperands() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ArithmeticExpression(List.of(1L, 2L), List.of('+', '+')));
        assertEquals("operands must number operators + 1 (and operators at least 1), got 2 operands and 2 operators",
                e.getMessage());
    }

    @Test
    void refusesUnknownOperatorsAndNonPositiveOperands() {
        assertEquals("operators must be one of +-*, got /", assertThrows(IllegalArgumentException.class,
                () -> new ArithmeticExpression(List.of(1L, 2L), List.of('/'))).getMessage());
        assertEquals("operands must be positive, got 0", assertThrows(IllegalArgumentException.class,
                () -> new ArithmeticExpression(List.of(0L, 2L), List.of('+'))).getMessage());
    }
}
