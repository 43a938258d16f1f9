package io.treepo.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SplitsTest {

    @Test
    void splitDependsOnlyOnTheKey() {
        for (int i = 0; i < 1000; i++) {
            String key = "7+3*" + i;
            assertEquals(Splits.of(key), Splits.of(new String(key.toCharArray())));
        }
    }

    @Test
    void holdsOutAboutOneInTen() {
        int heldOut = 0;
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            if (Splits.of(Integer.toString(i)) == Task.Split.HELD_OUT) {
                heldOut++;
            }
        }
        double fraction = heldOut / (double) n;
        assertTrue(fraction > 0.09 && fraction < 0.11, "held-out fraction " + fraction);
    }

    @Test
    void hashIsPinned() {
        // The partition must never move between releases: a changed hash would leak held-out
        // problems into training. The value was computed independently (FNV-1a 64 + SplitMix64
        // finaliser, in Python).
        assertEquals(-5213272929351412312L, Splits.hash("7+3*4-5"));
        assertEquals(Task.Split.TRAIN, Splits.of("7+3*4-5"));
    }

    @Test
    void refusesANullKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Splits.of(null));
        assertEquals("key must not be null", e.getMessage());
    }
}
