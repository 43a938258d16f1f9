package io.treepo.rollout.sampler;

import java.io.Serializable;

import java.util.HashMap;
import java.util.Map;

/**
 * Flags a degenerate segment: some substring of {@code substringChars} characters occurs at least
 * {@code minOccurrences} times in it (occurrences may overlap). Paper setting: 32 characters, 8 times.
 */
public record RepetitionRule(int substringChars, int minOccurrences) implements Serializable {

    public static final RepetitionRule PAPER = new RepetitionRule(32, 8);

    public RepetitionRule {
        if (substringChars < 1) throw new IllegalArgumentException("repetition.substringChars must be >= 1, got " + substringChars);
        if (minOccurrences < 2) throw new IllegalArgumentException("repetition.minOccurrences must be >= 2, got " + minOccurrences);
    }

    public boolean detects(String segmentText) {
        int windows = segmentText.length() - substringChars + 1;
        if (windows < minOccurrences) {
            return false;
        }
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < windows; i++) {
            int n = counts.merge(segmentText.substring(i, i + substringChars), 1, Integer::sum);
            if (n >= minOccurrences) {
                return true;
            }
        }
        return false;
    }
}
