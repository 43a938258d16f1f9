package io.treepo.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.WeakHashMap;
import java.util.function.Function;

/**
 * The policy's {@link SegmentDecoder} on DJL/PyTorch: all rows of a call decode in one batched loop
 * over a per-call key/value buffer, prefixes come from the per-node {@link KvCache}, tokens are
 * drawn on the Java side by a seeded {@link TokenSampler}.
 *
 * <p>One call: (1) for each row, the longest run of cached entries from the root gives its cached
 * positions; the rest of its prefix (at least its last token, which has no keys yet) is pending;
 * (2) one prefill pass runs every row's pending tokens, left-padded, against the assembled cached
 * prefixes (rows of different lengths sit in one buffer; a per-row mask hides the gaps), and the
 * recomputed nodes go back into the cache; (3) one pass per step feeds each row's last token; a row
 * stops at EOS or its token limit, and the batch drops it at once (its node is cached, the last
 * live rows move into the freed slots and the buffer is narrowed), so finished rows cost nothing;
 * (4) each row's new node gets its cache entry.
 *
 * <p>Buffer layout, (L, 2, B, H, W, D) for keys/values: columns [0, Sc) cached prefixes
 * (right-padded), [Sc, Sc+P) pending tokens (left-padded), then one column per step; each layer
 * writes a step's keys and values with one assignment. Batch-major, so that dropping rows is a view
 * of the first B' rows, not a copy. The buffer is a view of a workspace the decoder keeps between
 * calls: on CPU a fresh buffer of this size (tens of MB) is fresh pages from the OS, and faulting
 * them in cost more than the copies themselves. Columns a row does not use hold stale keys and values
 * of earlier calls, finite and hidden by the mask (the workspace starts zeroed).
 *
 * <p>Thread-confined, like its NDManager: one decoder per operator thread.
 */
public final class DjlSegmentDecoder implements SegmentDecoder {

    private final NDManager manager;
    private final KvCache cache;
    private final int eos;
    private final int pad;
    private final Set<PrefixNode> prefilledRoots = Collections.newSetFromMap(new WeakHashMap<>());
    private TransformerModel model;
    private NDArray workspace; // flat float32 backing every call's key/value buffer; grows, never shrinks
    private long version;
    private long prefillTokens, decodedTokens, recomputedTokens, forwardCalls, cacheHits, cacheMisses;
    private LogitsObserver observer = (request, step, logits, offset) -> {};

    /** Test hook: sees the logits each row's token was drawn from. */
    interface LogitsObserver {
        void onLogits(int request, int step, float[] logits, int offset);
    }

    private DjlSegmentDecoder(DecoderConfig config, Tokenizer tokenizer, Function<NDManager, TransformerModel> weights, long version) {
        this.manager = NDManager.newBaseManager(Devices.resolve(config.device()));
        this.cache = new KvCache(manager, config.cacheBudgetBytes());
        this.eos = tokenizer.eosToken();
        this.pad = tokenizer.padToken();
        this.model = weights.apply(manager);
        this.version = version;
    }

    /** A decoder whose model is built by {@code weights} in the decoder's manager (e.g. {@code m -> TransformerModel.initialize(c, m, seed)}). */
    public static DjlSegmentDecoder create(
            DecoderConfig config, Tokenizer tokenizer, Function<NDManager, TransformerModel> weights, long version) {
        return new DjlSegmentDecoder(config, tokenizer, weights, version);
    }

    /** A decoder over weights from the weights topic or a model directory. */
    public static DjlSegmentDecoder create(DecoderConfig config, Tokenizer tokenizer, EncodedWeights weights, long version) {
        return new DjlSegmentDecoder(config, tokenizer, m -> WeightsCodec.decode(weights, m), version);
    }

    /**
     * Swaps in a new policy version: builds the new model first, then frees the old one. Cache
     * entries belong to the old weights, so the cache is cleared (nodes recompute on demand).
     */
    public void installWeights(EncodedWeights weights, long newVersion) {
        TransformerModel fresh = WeightsCodec.decode(weights, manager);
        TransformerModel old = model;
        model = fresh;
        version = newVersion;
        cache.clear();
        old.close();
    }

    public ModelConfig modelConfig() {
        return model.config();
    }

    @Override
    public List<DecodedSegment> decode(List<DecodeRequest> requests, SamplingConfig sampling, long seed) {
        DecodedSegment[] results = new DecodedSegment[requests.size()];
        TokenSampler tokenSampler = new TokenSampler(sampling, model.config().vocabSize());
        prefillShared(requests, tokenSampler);
        List<Row> rows = new ArrayList<>();
        int context = model.config().contextLength();
        for (int i = 0; i < requests.size(); i++) {
            DecodeRequest request = requests.get(i);
            int limit = Math.min(request.maxTokens(), context - request.prefix().totalLength());
            if (limit < 1) { // the prefix already fills the context: nothing can follow it
                results[i] = new DecodedSegment(request.prefix().child(new int[0]), new int[0], new float[0], new float[0], false, version);
            } else {
                rows.add(new Row(i, request.prefix(), limit, new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (i + 1)))));
            }
        }
        if (!rows.isEmpty()) {
            try (NDScope scope = new NDScope()) {
                new Batch(rows, tokenSampler).run();
            }
        }
        for (Row row : rows) {
            results[row.request] = row.result;
        }
        return Arrays.asList(results);
    }

    /**
     * Computes once, in one pass, each uncached prefix node that several requests of this call
     * extend (a prompt all of whose first paths start together, say); otherwise every such row would
     * run it again.
     */
    private void prefillShared(List<DecodeRequest> requests, TokenSampler tokenSampler) {
        Map<PrefixNode, Integer> missingUses = new IdentityHashMap<>();
        for (DecodeRequest request : requests) {
            for (PrefixNode n = request.prefix(); n != null && cache.get(n) == null; n = n.parent()) {
                missingUses.merge(n, 1, Integer::sum);
            }
        }
        Set<PrefixNode> targets = Collections.newSetFromMap(new IdentityHashMap<>());
        for (DecodeRequest request : requests) {
            for (PrefixNode n = request.prefix(); n != null; n = n.parent()) {
                if (missingUses.getOrDefault(n, 0) > 1) {
                    targets.add(n); // the deepest shared missing node: computing it computes its ancestors
                    break;
                }
            }
        }
        if (targets.isEmpty()) {
            return;
        }
        List<Row> rows = new ArrayList<>();
        for (PrefixNode target : targets) {
            rows.add(new Row(-1, target, 1, null));
        }
        try (NDScope scope = new NDScope()) {
            new Batch(rows, tokenSampler).prefillOnly();
        }
    }

    /** One row of a call: its prefix, what was cached and what must be run, what it sampled. */
    private final class Row {
        final int request;
        final PrefixNode prefix;
        final int limit;
        final SplittableRandom random;
        final List<PrefixNode> chain = new ArrayList<>(); // root first
        int cachedNodes;
        int cached; // positions [0, cached) come from the cache
        int[] pending; // positions [cached, prefix.totalLength()) run in the prefill pass
        final int[] tokens;
        final float[] logProbs;
        final float[] entropies;
        int length;
        boolean finished;
        DecodedSegment result;

        Row(int request, PrefixNode prefix, int limit, SplittableRandom random) {
            this.request = request;
            this.prefix = prefix;
            this.limit = limit;
            this.random = random;
            this.tokens = new int[limit];
            this.logProbs = new float[limit];
            this.entropies = new float[limit];
            for (PrefixNode n = prefix; n != null; n = n.parent()) chain.add(n);
            Collections.reverse(chain);
            while (cachedNodes < chain.size() && cache.get(chain.get(cachedNodes)) != null) cachedNodes++;
            cacheHits += cachedNodes;
            cacheMisses += chain.size() - cachedNodes;
            cached = cachedNodes == 0 ? 0 : KvCache.entryEnd(chain.get(cachedNodes - 1));
            int[] full = prefix.fullTokens();
            pending = Arrays.copyOfRange(full, cached, full.length);
            for (PrefixNode missing : chain.subList(cachedNodes, chain.size())) {
                int positions = KvCache.entryEnd(missing) - KvCache.entryStart(missing);
                if (missing.parent() == null && prefilledRoots.add(missing)) {
                    prefillTokens += missing.ownLength();
                } else {
                    recomputedTokens += positions;
                }
            }
        }

        boolean add(TokenSampler.Draw draw) {
            tokens[length] = draw.token();
            logProbs[length] = draw.logProb();
            entropies[length] = draw.entropy();
            length++;
            decodedTokens++;
            finished = draw.token() == eos || length == limit;
            return finished;
        }

        int lastToken() {
            return tokens[length - 1];
        }
    }

    /** The batched loop of one call. Arrays made here are closed by the call's NDScope. */
    private final class Batch {
        final TokenSampler sampler;
        final List<Row> slots; // row of each batch index
        final int sc; // cached columns
        final int p; // pending columns
        final int width; // buffer columns
        NDArray kv; // (L, 2, B, H, W, D), a view of the workspace; B shrinks as rows finish
        NDArray keyMask; // (B, 1, 1, W)
        int step; // columns [Sc+P, Sc+P+step) hold fed sampled tokens

        Batch(List<Row> rows, TokenSampler sampler) {
            this.sampler = sampler;
            this.slots = new ArrayList<>(rows);
            this.sc = rows.stream().mapToInt(r -> r.cached).max().orElseThrow();
            this.p = rows.stream().mapToInt(r -> r.pending.length).max().orElseThrow();
            this.width = sc + p + rows.stream().mapToInt(r -> r.limit).max().orElseThrow();
        }

        /** Runs the rows' pending tokens and caches the nodes they complete; samples nothing. */
        void prefillOnly() {
            assemble();
            prefill();
            storeRecomputed();
        }

        void run() {
            assemble();
            float[] logits = prefill();
            storeRecomputed();
            int vocab = model.config().vocabSize();
            while (true) {
                int active = 0;
                for (int b = 0; b < slots.size(); b++) {
                    Row row = slots.get(b);
                    observer.onLogits(row.request, row.length, logits, b * vocab);
                    if (!row.add(sampler.draw(logits, b * vocab, row.random))) active++;
                }
                if (active == 0) break;
                if (active < slots.size()) compact(active);
                logits = stepForward();
            }
            for (int b = 0; b < slots.size(); b++) finish(slots.get(b), b);
        }

        /**
         * Points {@link #kv} at the workspace and writes each row's cached entries into its first
         * columns: one assignment per row (its entries concatenated first when there are several).
         */
        private void assemble() {
            ModelConfig c = model.config();
            kv = workspace(new Shape(c.layers(), 2, slots.size(), c.heads(), width, c.headSize()));
            for (int b = 0; b < slots.size(); b++) {
                Row row = slots.get(b);
                NDList entries = new NDList();
                for (PrefixNode n : row.chain.subList(0, row.cachedNodes)) {
                    NDArray entry = cache.get(n).kv();
                    if (entry != null) entries.add(entry);
                }
                if (!entries.isEmpty()) {
                    NDArray prefix = entries.size() == 1 ? entries.get(0) : NDArrays.concat(entries, 3); // (L, 2, H, cached, D)
                    kv.set(rowColumns(b, 0, row.cached), prefix);
                }
            }
            buildMask();
        }

        /** Row b may attend to its cached columns, its real pending columns and all step columns. */
        private void buildMask() {
            float[] mask = new float[slots.size() * width];
            for (int b = 0; b < slots.size(); b++) {
                Row row = slots.get(b);
                for (int col = 0; col < width; col++) {
                    boolean visible = col < row.cached || col >= sc + p - row.pending.length;
                    mask[b * width + col] = visible ? 0f : TransformerModel.MASKED;
                }
            }
            keyMask = manager.create(mask, new Shape(slots.size(), 1, 1, width));
        }

        private float[] prefill() {
            int batch = slots.size();
            long[] tokens = new long[batch * p];
            long[] positions = new long[batch * p];
            for (int b = 0; b < batch; b++) {
                Row row = slots.get(b);
                int offset = p - row.pending.length;
                Arrays.fill(tokens, b * p, b * p + offset, pad);
                for (int i = 0; i < row.pending.length; i++) {
                    tokens[b * p + offset + i] = row.pending[i];
                    positions[b * p + offset + i] = row.cached + i;
                }
            }
            try (NDScope scope = new NDScope()) {
                NDArray queryCols = manager.arange(sc, sc + p, 1, DataType.INT64).reshape(p, 1);
                NDArray keyCols = manager.arange(0, sc + p, 1, DataType.INT64).reshape(1, sc + p);
                NDArray causal = keyCols.gt(queryCols).toType(DataType.FLOAT32, false).mul(TransformerModel.MASKED);
                NDArray mask = keyMask.get(":, :, :, 0:{}", sc + p).add(causal.reshape(1, 1, p, sc + p)); // (B, 1, P, Sc+P)
                return run(tokens, positions, p, mask, sc);
            }
        }

        private float[] stepForward() {
            int batch = slots.size();
            long[] tokens = new long[batch];
            long[] positions = new long[batch];
            int maxPosition = model.config().contextLength() - 1;
            for (int b = 0; b < batch; b++) {
                Row row = slots.get(b);
                tokens[b] = row.lastToken();
                positions[b] = Math.min(maxPosition, row.prefix.totalLength() + row.length - 1);
            }
            int column = sc + p + step;
            step++;
            try (NDScope scope = new NDScope()) {
                return run(tokens, positions, 1, keyMask.get(new NDIndex().addAllDim(3).addSliceDim(0, column + 1)), column);
            }
        }

        /** One pass over {@code t} new columns written at {@code column}; returns the last position's logits, (B, V) flat. */
        private float[] run(long[] tokens, long[] positions, int t, NDArray mask, int column) {
            int batch = slots.size();
            NDArray tokenArray = manager.create(tokens, new Shape(batch, t));
            NDArray positionArray = manager.create(positions, new Shape(batch, t));
            NDArray logits = model.forward(tokenArray, positionArray, mask, (layer, keysValues) -> {
                kv.set(columns(layer, column, column + t), keysValues);
                return kv.get(columns(layer, 0, column + t));
            }, true);
            forwardCalls++;
            return logits.toFloatArray();
        }

        /** Keys and values of one layer, columns [from, to): built directly, as string indices are parsed on every call. */
        private NDIndex columns(int layer, int from, int to) {
            return new NDIndex().addIndices(layer).addAllDim(3).addSliceDim(from, to);
        }

        /** Row b's keys and values, columns [from, to): (L, 2, H, to - from, D). */
        private NDIndex rowColumns(int b, int from, int to) {
            return new NDIndex().addAllDim(2).addIndices(b).addAllDim().addSliceDim(from, to);
        }

        /** Puts the entries of nodes whose keys the prefill pass recomputed back into the cache. */
        private void storeRecomputed() {
            for (int b = 0; b < slots.size(); b++) {
                Row row = slots.get(b);
                int firstColumn = sc + p - row.pending.length; // column of position row.cached
                for (PrefixNode node : row.chain.subList(row.cachedNodes, row.chain.size())) {
                    if (cache.contains(node)) continue; // another row of this batch already stored it
                    int start = firstColumn + KvCache.entryStart(node) - row.cached;
                    int end = firstColumn + KvCache.entryEnd(node) - row.cached;
                    cache.put(node, slice(b, start, end));
                }
            }
        }

        /** Row b's columns [start, end) as a compact (L, 2, H, n, D) copy the cache can own, or null if empty. */
        private NDArray slice(int b, int start, int end) {
            if (end <= start) return null;
            NDArray copy = kv.get(rowColumns(b, start, end)).duplicate();
            NDScope.unregister(copy);
            return copy;
        }

        /** The row's new node, cached: its entry is the prefix's last token and every sampled token but the last. */
        private void finish(Row row, int b) {
            if (row.result != null) return;
            int[] tokens = Arrays.copyOf(row.tokens, row.length);
            PrefixNode node = row.prefix.child(tokens);
            cache.put(node, slice(b, sc + p - 1, sc + p - 1 + row.length));
            row.result = new DecodedSegment(node, tokens, Arrays.copyOf(row.logProbs, row.length),
                    Arrays.copyOf(row.entropies, row.length), tokens[tokens.length - 1] == eos, version);
        }

        /**
         * Drops finished rows (after caching their nodes): the last live rows move into their slots,
         * copying only the columns written so far, and the buffer becomes a view of its first
         * {@code live} rows.
         */
        private void compact(int live) {
            for (int b = 0; b < slots.size(); b++) {
                if (slots.get(b).finished) finish(slots.get(b), b);
            }
            int written = sc + p + step;
            int last = slots.size() - 1;
            for (int b = 0; b < live; b++) {
                if (!slots.get(b).finished) continue;
                while (slots.get(last).finished) last--;
                kv.set(rowColumns(b, 0, written), kv.get(rowColumns(last, 0, written)));
                slots.set(b, slots.get(last));
                last--;
            }
            slots.subList(live, slots.size()).clear();
            NDArray oldKv = kv;
            NDArray oldMask = keyMask;
            kv = kv.get(new NDIndex().addAllDim(2).addSliceDim(0, live));
            buildMask();
            oldKv.close();
            oldMask.close();
        }
    }

    /**
     * A (zeroed once, then reused) buffer of {@code shape}: a view of the workspace, which grows at
     * least twofold when too small, so a decoder allocates it a handful of times in its life.
     */
    private NDArray workspace(Shape shape) {
        long size = shape.size();
        if (workspace == null || workspace.size() < size) {
            long grown = workspace == null ? size : Math.max(size, 2 * workspace.size());
            if (workspace != null) workspace.close();
            workspace = manager.zeros(new Shape(grown));
            NDScope.unregister(workspace);
        }
        return workspace.get(new NDIndex().addSliceDim(0, size)).reshape(shape);
    }

    @Override
    public void release(PrefixNode node) {
        cache.release(node);
    }

    @Override
    public long policyVersion() {
        return version;
    }

    /**
     * Cache hits and misses count the nodes of each request's path found or not found in the cache;
     * each continuation also feeds its prefix's last token once, counted nowhere (one token per branch).
     */
    @Override
    public DecodeCounters counters() {
        return new DecodeCounters(prefillTokens, decodedTokens, recomputedTokens, forwardCalls, cache.bytes(), cacheHits, cacheMisses);
    }

    @Override
    public int eosToken() {
        return eos;
    }

    /** Cache entries evicted to stay within the budget, cumulative. */
    public long cacheEvictions() {
        return cache.evictions();
    }

    void setObserver(LogitsObserver observer) {
        this.observer = observer;
    }

    TransformerModel model() {
        return model;
    }

    NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        if (workspace != null) workspace.close();
        cache.close();
        model.close();
        manager.close();
    }
}
