package io.treepo.tasks;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The train / held-out partition: a problem's split is a pure function of its canonical text, so
 * the same problem always lands on the same side whichever seed, task instance or JVM drew it.
 * That is what makes the splits disjoint by construction rather than by bookkeeping.
 */
public final class Splits {

    /** One problem in this many is held out (10%). */
    public static final int HELD_OUT_ONE_IN = 10;

    private Splits() {}

    /** The split of the problem whose canonical text is {@code key}. */
    public static Task.Split of(String key) {
        if (key == null) {
            throw new IllegalArgumentException("key must not be null");
        }
        return Long.remainderUnsigned(hash(key), HELD_OUT_ONE_IN) == 0 ? Task.Split.HELD_OUT : Task.Split.TRAIN;
    }

    /**
     * 64-bit FNV-1a over the UTF-8 bytes, then the SplitMix64 finaliser. Spelled out here rather
     * than {@link String#hashCode} so that the partition is fixed by this file alone; the
     * finaliser spreads FNV's weak low bits, which the modulus reads.
     */
    static long hash(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    /** Draws per problem before a generator gives up on finding one of the requested split. */
    static final int MAX_DRAWS = 10_000;

    /**
     * The first candidate, drawn from a generator seeded with {@code seed}, whose key falls in
     * {@code split}: how generated tasks keep their splits disjoint and still reproducible.
     *
     * @param what names the task's configuration in the error when no candidate fits
     */
    static <T> T draw(long seed, Task.Split split, Function<SplittableRandom, T> candidate, Function<T, String> key, String what) {
        Objects.requireNonNull(split, "split");
        SplittableRandom random = new SplittableRandom(seed);
        for (int draw = 0; draw < MAX_DRAWS; draw++) {
            T drawn = candidate.apply(random);
            if (of(key.apply(drawn)) == split) {
                return drawn;
            }
        }
        throw new IllegalStateException("no " + split + " problem in " + MAX_DRAWS + " draws for " + what
                + ": the configuration allows too few distinct problems");
    }
}
