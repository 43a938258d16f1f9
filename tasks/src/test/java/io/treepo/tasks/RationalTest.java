package io.treepo.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class RationalTest {

    @Test
    void reducesToLowestTermsWithPositiveDenominator() {
        Rational r = Rational.of(BigInteger.valueOf(6), BigInteger.valueOf(-8));
        assertEquals(BigInteger.valueOf(-3), r.numerator());
        assertEquals(BigInteger.valueOf(4), r.denominator());
        assertEquals("-3/4", r.toString());
    }

    @Test
    void zeroIsZeroOverOne() {
        assertEquals(Rational.of(0), Rational.of(BigInteger.ZERO, BigInteger.valueOf(-5)));
    }

    @Test
    void decimalsAreExact() {
        assertEquals(Rational.of(BigInteger.ONE, BigInteger.TEN), Rational.of(new BigDecimal("0.1")));
        assertEquals(Rational.of(1200), Rational.of(new BigDecimal("1.2E+3")));
    }

    @Test
    void refusesANonCanonicalForm() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Rational(BigInteger.TWO, BigInteger.valueOf(4)));
        assertEquals("numerator and denominator must be in lowest terms, got 2/4 (use Rational.of)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Rational(BigInteger.ONE, BigInteger.valueOf(-2)));
        assertEquals("denominator must be positive, got -2", e.getMessage());
    }

    @Test
    void refusesAZeroDenominator() {
        assertThrows(ArithmeticException.class, () -> Rational.of(BigInteger.ONE, BigInteger.ZERO));
        assertThrows(ArithmeticException.class, () -> Rational.of(1).divide(Rational.of(0)));
    }
}
