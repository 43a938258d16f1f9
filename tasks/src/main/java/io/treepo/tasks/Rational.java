package io.treepo.tasks;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;

/**
 * An exact rational number in lowest terms with a positive denominator, so that equal values are
 * equal records: {@code 3/4}, {@code 0.75} and {@code 6/8} all become {@code 3/4}. Answers are
 * compared this way rather than as doubles so that {@code 0.1 + 0.2}-style rounding never decides
 * a reward.
 */
public record Rational(BigInteger numerator, BigInteger denominator) {

    public Rational {
        Objects.requireNonNull(numerator, "numerator");
        Objects.requireNonNull(denominator, "denominator");
        if (denominator.signum() <= 0) {
            throw new IllegalArgumentException("denominator must be positive, got " + denominator);
        }
        if (!numerator.gcd(denominator).equals(BigInteger.ONE)) {
            throw new IllegalArgumentException(
                    "numerator and denominator must be in lowest terms, got " + numerator + "/" + denominator
                            + " (use Rational.of)");
        }
    }

    /** {@code numerator / denominator} reduced to lowest terms. */
    public static Rational of(BigInteger numerator, BigInteger denominator) {
        Objects.requireNonNull(numerator, "numerator");
        Objects.requireNonNull(denominator, "denominator");
        if (denominator.signum() == 0) {
            throw new ArithmeticException("denominator must not be zero");
        }
        if (denominator.signum() < 0) {
            numerator = numerator.negate();
            denominator = denominator.negate();
        }
        BigInteger gcd = numerator.gcd(denominator);
        // gcd(0, d) = d, which reduces 0/d to 0/1 as wanted.
        return new Rational(numerator.divide(gcd), denominator.divide(gcd));
    }

    public static Rational of(long value) {
        return new Rational(BigInteger.valueOf(value), BigInteger.ONE);
    }

    /** The exact value of a decimal: {@code 0.75} is {@code 3/4}, {@code 2.50} is {@code 5/2}. */
    public static Rational of(BigDecimal value) {
        Objects.requireNonNull(value, "value");
        if (value.scale() <= 0) {
            return new Rational(value.toBigIntegerExact(), BigInteger.ONE);
        }
        return of(value.unscaledValue(), BigInteger.TEN.pow(value.scale()));
    }

    public Rational divide(Rational divisor) {
        Objects.requireNonNull(divisor, "divisor");
        return of(numerator.multiply(divisor.denominator), denominator.multiply(divisor.numerator));
    }

    public Rational negate() {
        return new Rational(numerator.negate(), denominator);
    }

    public boolean isInteger() {
        return denominator.equals(BigInteger.ONE);
    }

    /** {@code 3/4}, {@code -2}: the canonical form, also the form a reference is written in. */
    @Override
    public String toString() {
        return isInteger() ? numerator.toString() : numerator + "/" + denominator;
    }
}
