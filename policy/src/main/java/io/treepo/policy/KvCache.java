package io.treepo.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keys/values per tree node, keyed by {@link PrefixNode} identity, with a byte budget and LRU
 * eviction. An entry holds only its node's own positions, so a branch shares its ancestors'
 * entries instead of copying them.
 *
 * <p>Which positions an entry covers: the decoder feeds a node's last token when it extends the
 * node (that token has no keys yet when its segment ends), so an entry is shifted by one: a root's
 * entry covers its tokens but the last; any other node's entry covers its parent's last token and
 * its own tokens but the last. Chained from the root, entries cover every position of a node but
 * its last.
 *
 * <p>Not thread-safe: owned by one decoder.
 */
final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final long budgetBytes;
    private final LinkedHashMap<PrefixNode, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;
    private long evictions;

    /**
     * @param kv (L, 2, N, n, D) keys and values of the entry's n positions; null when n is 0
     */
    record Entry(NDArray kv, int length) {
        long bytes() {
            return kv == null ? 0 : kv.getShape().size() * kv.getDataType().getNumOfBytes();
        }
    }

    KvCache(NDManager parent, long budgetBytes) {
        if (budgetBytes < 0) throw new IllegalArgumentException("cache budget must be >= 0 bytes, got " + budgetBytes);
        this.manager = parent.newSubManager();
        this.budgetBytes = budgetBytes;
    }

    /** Positions a node's entry covers: [start, end). */
    static int entryStart(PrefixNode node) {
        return node.parent() == null ? 0 : node.parent().totalLength() - 1;
    }

    static int entryEnd(PrefixNode node) {
        return node.totalLength() - 1;
    }

    /** The entry of {@code node} (marking it recently used), or null. */
    Entry get(PrefixNode node) {
        return entries.get(node);
    }

    boolean contains(PrefixNode node) {
        return entries.containsKey(node);
    }

    /**
     * Takes ownership of {@code kv} (it must be a compact copy, not a view of a larger array) and
     * evicts least recently used entries until the cache fits its budget. An entry larger than the
     * whole budget is not kept.
     */
    void put(PrefixNode node, NDArray kv) {
        int length = entryEnd(node) - entryStart(node);
        Entry entry = new Entry(kv, length);
        if (kv != null && kv.getShape().get(3) != length) {
            throw new IllegalStateException("entry of " + length + " positions given " + kv.getShape());
        }
        release(node);
        if (kv != null) {
            kv.attach(manager);
        }
        if (entry.bytes() > budgetBytes) {
            kv.close();
            evictions++;
            return;
        }
        entries.put(node, entry);
        bytes += entry.bytes();
        Iterator<Map.Entry<PrefixNode, Entry>> eldest = entries.entrySet().iterator();
        while (bytes > budgetBytes && eldest.hasNext()) {
            Entry victim = eldest.next().getValue();
            eldest.remove();
            free(victim);
            evictions++;
        }
    }

    void release(PrefixNode node) {
        Entry entry = entries.remove(node);
        if (entry != null) free(entry);
    }

    void clear() {
        entries.values().forEach(this::free);
        entries.clear();
    }

    private void free(Entry entry) {
        bytes -= entry.bytes();
        if (entry.kv() != null) entry.kv().close();
    }

    long bytes() {
        return bytes;
    }

    long evictions() {
        return evictions;
    }

    @Override
    public void close() {
        clear();
        manager.close();
    }
}
