package io.treepo.trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Off-policy bound (TREEPO.md section 4): an item whose oldest segment was sampled more than
 * {@code maxStaleness} policy versions ago is dropped, and counted.
 */
public record StalenessFilter(long maxStaleness) {

    public StalenessFilter {
        if (maxStaleness < 0) throw new IllegalArgumentException("maxStaleness must be >= 0, got " + maxStaleness);
    }

    public boolean keeps(long oldestVersion, long currentVersion) {
        return currentVersion - oldestVersion <= maxStaleness;
    }

    /** Splits items into kept and dropped, by their oldest policy version. */
    public <T> Split<T> apply(List<T> items, ToLongFunction<T> oldestVersion, long currentVersion) {
        List<T> kept = new ArrayList<>();
        List<T> dropped = new ArrayList<>();
        for (T item : items) {
            (keeps(oldestVersion.applyAsLong(item), currentVersion) ? kept : dropped).add(item);
        }
        return new Split<>(kept, dropped);
    }

    public record Split<T>(List<T> kept, List<T> dropped) {}
}
