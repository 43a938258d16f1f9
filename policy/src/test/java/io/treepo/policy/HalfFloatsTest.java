package io.treepo.policy;

import static io.treepo.policy.HalfFloats.bf16ToFloat;
import static io.treepo.policy.HalfFloats.f16ToFloat;
import static io.treepo.policy.HalfFloats.floatToBf16;
import static io.treepo.policy.HalfFloats.floatToF16;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HalfFloatsTest {

    @Test
    void everyF16ValueSurvivesARoundTripThroughFloat() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = f16ToFloat((short) bits);
            if (Float.isNaN(f)) {
                assertThat(Float.isNaN(f16ToFloat(floatToF16(f)))).as("NaN %04x", bits).isTrue();
            } else {
                assertThat(floatToF16(f) & 0xFFFF).as("bits %04x", bits).isEqualTo(bits);
            }
        }
    }

    @Test
    void everyBf16ValueSurvivesARoundTripThroughFloat() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = bf16ToFloat((short) bits);
            if (Float.isNaN(f)) {
                assertThat(Float.isNaN(bf16ToFloat(floatToBf16(f)))).isTrue();
            } else {
                assertThat(floatToBf16(f) & 0xFFFF).as("bits %04x", bits).isEqualTo(bits);
            }
        }
    }

    @Test
    void f16KnownValuesAreExact() {
        assertThat(f16ToFloat((short) 0x3C00)).isEqualTo(1.0f);
        assertThat(f16ToFloat((short) 0xC000)).isEqualTo(-2.0f);
        assertThat(f16ToFloat((short) 0x7BFF)).isEqualTo(65504f);
        assertThat(f16ToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(f16ToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Float.floatToRawIntBits(f16ToFloat((short) 0x8000))).isEqualTo(0x8000_0000);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        // ties go to the even mantissa
        "1.00048828125, 0x3C00", // 1 + 2^-11: halfway between 1 and 1 + 2^-10
        "1.00146484375, 0x3C02", // 1 + 3 * 2^-11: halfway, rounds up to the even neighbour
        "1.0004884, 0x3C01", // just above the tie
        "65519, 0x7BFF",
        "65520, 0x7C00", // the tie above the largest finite F16 rounds to infinity
        "1e10, 0x7C00",
        "-1e10, 0xFC00",
        // subnormals
        "2.9802322387695312E-8, 0x0000", // 2^-25: halfway between 0 and the smallest subnormal
        "2.980233E-8, 0x0001",
        "8.940696716308594E-8, 0x0002", // 3 * 2^-25: halfway between 1 and 2 ulps
        "6.100535392761230E-5, 0x0400", // 1023.5 * 2^-24: carries into the smallest normal
        "1e-10, 0x0000",
        "-0.0, 0x8000"
    })
    void floatToF16RoundsToNearestEven(float value, String expected) {
        assertThat(floatToF16(value) & 0xFFFF).isEqualTo(Integer.decode(expected));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "1.00390625, 0x3F80", // 1 + 2^-8: halfway between 1 and 1 + 2^-7
        "1.01171875, 0x3F82", // 1 + 3 * 2^-8: halfway, rounds up to the even neighbour
        "1.0039064, 0x3F81",
        "3.4028235E38, 0x7F80", // the largest float rounds to infinity
        "-2.5, 0xC020"
    })
    void floatToBf16RoundsToNearestEven(float value, String expected) {
        assertThat(floatToBf16(value) & 0xFFFF).isEqualTo(Integer.decode(expected));
    }

    @Test
    void nanStaysNan() {
        assertThat(Float.isNaN(f16ToFloat(floatToF16(Float.NaN)))).isTrue();
        assertThat(Float.isNaN(bf16ToFloat(floatToBf16(Float.NaN)))).isTrue();
        // a NaN whose payload sits only in the low bits must not truncate to infinity
        float lowPayloadNan = Float.intBitsToFloat(0x7F80_0001);
        assertThat(Float.isNaN(f16ToFloat(floatToF16(lowPayloadNan)))).isTrue();
        assertThat(Float.isNaN(bf16ToFloat(floatToBf16(lowPayloadNan)))).isTrue();
    }

    @Test
    void randomFloatsRoundToTheNearestF16AndBf16() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            // magnitudes from far below the F16 subnormals to beyond its range
            float value = (float) ((random.nextDouble() - 0.5) * Math.pow(2, random.nextInt(-30, 18)));
            assertNearest(value, floatToF16(value), HalfFloats::f16ToFloat);
            assertNearest(value, floatToBf16(value), HalfFloats::bf16ToFloat);
        }
    }

    private interface Widen {
        float apply(short bits);
    }

    /** No neighbouring half value is closer; at a tie the chosen one is even. */
    private static void assertNearest(float value, short bits, Widen widen) {
        double chosen = widen.apply(bits);
        if (Double.isInfinite(chosen)) {
            return; // overflow: checked by the known cases
        }
        double error = Math.abs(chosen - value);
        for (int step : new int[] {-1, 1}) {
            double neighbour = widen.apply((short) (bits + step));
            // stepping across zero or into infinity/NaN is not a neighbour of the same sign
            if (Double.isNaN(neighbour) || Double.isInfinite(neighbour) || Math.signum(neighbour) * Math.signum(chosen) < 0) {
                continue;
            }
            double other = Math.abs(neighbour - value);
            assertThat(other).as("%s as %04x", value, bits & 0xFFFF).isGreaterThanOrEqualTo(error);
            if (other == error) {
                assertThat(bits & 1).as("tie for %s goes to even", value).isZero();
            }
        }
    }
}
