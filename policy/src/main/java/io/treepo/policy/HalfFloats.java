package io.treepo.policy;

/**
 * IEEE binary16 (F16) and bfloat16 (BF16) bits to and from float32, rounding to nearest even.
 * Java 17 has no {@code Float.float16ToFloat} (that came in Java 20), and DJL's PyTorch engine
 * aborts on BF16 arrays, so half-precision checkpoints are widened here, in Java.
 */
public final class HalfFloats {

    private HalfFloats() {}

    /** The float32 value of F16 {@code bits}; exact (every F16 value is a float32). */
    public static float f16ToFloat(short bits) {
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) { // infinity or NaN: keep the payload
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mantissa << 13));
        }
        if (exponent == 0) { // zero or subnormal: mantissa * 2^-24, exact in float32
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        // rebias the exponent from 15 to 127
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** F16 bits of {@code value}, rounded to nearest even; overflow gives infinity. */
    public static short floatToF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xFF;
        int mantissa = bits & 0x7F_FFFF;
        if (exponent == 0xFF) { // infinity stays infinity; NaN stays a (quiet) NaN
            return (short) (sign | 0x7C00 | (mantissa == 0 ? 0 : 0x200 | (mantissa >>> 13)));
        }
        int halfExponent = exponent - 127 + 15;
        if (halfExponent >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (halfExponent <= 0) {
            // F16 subnormal: (1.mantissa) shifted right; beyond 24 bits even the tie rounds to zero
            int shift = 14 - halfExponent;
            if (shift > 24) {
                return (short) sign;
            }
            return (short) (sign | roundShift(mantissa | 0x80_0000, shift));
        }
        // a carry out of the mantissa correctly bumps the exponent (up to infinity)
        return (short) (sign | roundShift((halfExponent << 23) | mantissa, 13));
    }

    /** The float32 value of BF16 {@code bits}: the top half of a float32. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** BF16 bits of {@code value}, rounded to nearest even; NaN stays a (quiet) NaN. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) roundShift(bits, 16);
    }

    /** {@code value >>> shift}, rounded to nearest, ties to even. */
    private static int roundShift(int value, int shift) {
        int kept = value >>> shift;
        int rest = value & ((1 << shift) - 1);
        int half = 1 << (shift - 1);
        if (rest > half || (rest == half && (kept & 1) == 1)) {
            kept++;
        }
        return kept;
    }
}
