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
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.WeakHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The policy's {@link SegmentDecoder} on DJL/PyTorch: all rows of a call decode in one batched loop
 * over a per-call key/value buffer, prefixes come from the per-node {@link KvCache}, tokens are
 * drawn on the Java side by a seeded {@link TokenSampler}.
 *
 * <p>One call: (1) prefix nodes missing from the cache (a new prompt; everything after a version
 * swap) are computed first, each once, in passes of their own ({@link #prefillMissing}); (2) rows
 * extending the same prefix node (sibling branches, or samples of one prompt) are grouped so that
 * they share one copy of their cached prefix, which is assembled once and read once per step for
 * the group: decoding is bound by reading keys and values, so a pair of branches costs little more
 * than one path; (3) one prefill pass runs every row's pending tokens (its prefix's last token,
 * which has no keys yet, and whatever an eviction took since step 1), left-padded, against the
 * assembled cached prefixes (a mask hides the gaps), and the recomputed nodes go back into the
 * cache; (4) one pass per step feeds each row's last token; a row stops at EOS or its token limit,
 * its node is cached at once, and a group whose rows have all stopped drops out of the batch (the
 * last live groups move into its slots and the buffer is narrowed), so finished rows cost nothing
 * once their group is done.
 *
 * <p>Buffer layout, (L, 2, G, N, W, D) for keys/values of G groups: columns [0, Sc) each group's
 * cached prefix (right-padded), then its rows' pending tokens and one position per step, the
 * group's rows side by side in each position (see {@link Batch}); each layer writes a step's keys
 * and values with one assignment. Group-major, so that dropping groups is a view of the first G'
 * groups, not a copy. The buffer is a view of a workspace the decoder keeps between calls: on CPU a
 * fresh buffer of this size (tens of MB) is fresh pages from the OS, and faulting them in cost more
 * than the copies themselves. Columns a row does not use hold stale keys and values of earlier
 * calls, finite and hidden by the mask (the workspace starts zeroed).
 *
 * <p>Thread-confined, like its NDManager: one decoder per operator thread.
 */
public final class DjlSegmentDecoder implements SegmentDecoder {

    /** See {@link #groupSize}. */
    static final int ROW_COST_IN_COLUMNS = 30;

    private final NDManager manager;
    private final KvCache cache;
    private final int eos; // the first EOS id: what a response ends with
    private final int[] stops; // every EOS id: a row stops at any of them
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
        this.stops = tokenizer.eosTokens().clone();
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
        prefillMissing(requests.stream().map(DecodeRequest::prefix).toList(), tokenSampler);
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
     * Computes every prefix node the requests extend that is not cached (a new prompt, or all of
     * them after a version swap emptied the cache) in passes of its own, before the call's batch,
     * so that the batch feeds each row just its prefix's last token: run inside the batch, a
     * recomputed path would left-pad every other row of the call to its length. Each node is
     * computed once: ancestors missing from the cache that several targets share go first
     * (recursively), so that two branches do not both run their common path. PrefixNode has
     * identity equality; linked sets keep the passes' rows in request order, run after run.
     */
    private void prefillMissing(Collection<PrefixNode> prefixes, TokenSampler tokenSampler) {
        Set<PrefixNode> targets = new LinkedHashSet<>();
        for (PrefixNode prefix : prefixes) {
            if (cache.get(prefix) == null) targets.add(prefix);
        }
        if (targets.isEmpty()) {
            return;
        }
        Map<PrefixNode, Integer> missingUses = new HashMap<>();
        for (PrefixNode target : targets) {
            for (PrefixNode n = target.parent(); n != null && cache.get(n) == null; n = n.parent()) {
                missingUses.merge(n, 1, Integer::sum);
            }
        }
        Set<PrefixNode> shared = new LinkedHashSet<>();
        for (PrefixNode target : targets) {
            for (PrefixNode n = target.parent(); n != null; n = n.parent()) {
                if (missingUses.getOrDefault(n, 0) > 1) {
                    shared.add(n); // the deepest: computing it computes its ancestors
                    break;
                }
            }
        }
        prefillMissing(shared, tokenSampler);
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
            finished = isStop(draw.token()) || length == limit;
            return finished;
        }

        int lastToken() {
            return tokens[length - 1];
        }
    }

    /**
     * The batched loop of one call. Arrays made here are closed by the call's NDScope.
     *
     * <p>Rows that extend the same prefix node (sibling branches) form groups of {@link #k} slots
     * that share one copy of their cached prefix: it is assembled once and read once per step for the
     * whole group (see {@link TransformerModel}). Slot g*k+j is row j of group g; a group with fewer
     * rows leaves its last slots empty (null), and a bigger one is split into several groups.
     * Columns: [0, sc) each group's cached prefix (right-padded), then the pending tokens and then one
     * column per step, each position's k keys side by side: row j's pending index i (left-padded to
     * p) sits at column sc + i*k + j, its step s at sc + (p + s)*k + j.
     */
    private final class Batch {
        final TokenSampler sampler;
        final int k; // rows per group
        final List<Row> slots; // row of each slot; null where a group has no row
        final int sc; // cached columns
        final int p; // pending positions
        final int width; // buffer columns
        NDArray kv; // (L, 2, G, N, W, D), a view of the workspace; G shrinks as groups finish
        NDArray keyMask; // (G, 1, k, W)
        int step; // positions [p, p + step) hold fed sampled tokens

        Batch(List<Row> rows, TokenSampler sampler) {
            this.sampler = sampler;
            // PrefixNode has identity equality; a linked map keeps the slots in request order, run after run
            Collection<List<Row>> siblings = rows.stream()
                    .collect(Collectors.groupingBy(r -> r.prefix, LinkedHashMap::new, Collectors.toList())).values();
            this.sc = rows.stream().mapToInt(r -> r.cached).max().orElseThrow();
            this.k = groupSize(siblings.stream().mapToInt(List::size).toArray(), sc);
            this.slots = new ArrayList<>();
            for (List<Row> group : siblings) {
                for (int first = 0; first < group.size(); first += k) {
                    for (int j = 0; j < k; j++) slots.add(first + j < group.size() ? group.get(first + j) : null);
                }
            }
            this.p = rows.stream().mapToInt(r -> r.pending.length).max().orElseThrow();
            this.width = sc + (p + rows.stream().mapToInt(r -> r.limit).max().orElseThrow()) * k;
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
                for (int b = 0; b < slots.size(); b++) {
                    Row row = slots.get(b);
                    if (row == null || row.finished) continue;
                    observer.onLogits(row.request, row.length, logits, b * vocab);
                    if (row.add(sampler.draw(logits, b * vocab, row.random))) finish(row, b);
                }
                int liveGroups = (int) IntStream.range(0, groups()).filter(this::live).count();
                if (liveGroups == 0) break;
                if (liveGroups < groups()) compact(liveGroups);
                logits = stepForward();
            }
        }

        int groups() {
            return slots.size() / k;
        }

        boolean live(int group) {
            for (Row row : slots.subList(group * k, group * k + k)) {
                if (row != null && !row.finished) return true;
            }
            return false;
        }

        /** Any row of the group: they share the prefix. */
        Row member(int group) {
            return slots.get(group * k);
        }

        /**
         * Points {@link #kv} at the workspace and writes each group's cached entries into its first
         * columns: one assignment per group (its entries concatenated first when there are several).
         */
        private void assemble() {
            ModelConfig c = model.config();
            kv = workspace(new Shape(c.layers(), 2, groups(), c.kvHeads(), width, c.headDim()));
            for (int g = 0; g < groups(); g++) {
                Row row = member(g);
                NDList entries = new NDList();
                for (PrefixNode n : row.chain.subList(0, row.cachedNodes)) {
                    NDArray entry = cache.get(n).kv();
                    if (entry != null) entries.add(entry);
                }
                if (!entries.isEmpty()) {
                    NDArray prefix = entries.size() == 1 ? entries.get(0) : NDArrays.concat(entries, 3); // (L, 2, N, cached, D)
                    kv.set(groupColumns(g, 0, row.cached, 1), prefix);
                }
            }
            buildMask();
        }

        /** Whether the row in slot b may see column col when its query is at pending index (or p + step) i. */
        private boolean visible(int b, int col, int i) {
            Row row = slots.get(b);
            if (row == null) return false;
            if (col < sc) return col < row.cached;
            int position = (col - sc) / k;
            return (col - sc) % k == b % k && position >= p - row.pending.length && position <= i;
        }

        /** Row j of each group may see its group's cached columns, its real pending columns and its step columns. */
        private void buildMask() {
            float[] mask = new float[slots.size() * width];
            for (int b = 0; b < slots.size(); b++) {
                for (int col = 0; col < width; col++) {
                    mask[b * width + col] = visible(b, col, Integer.MAX_VALUE) ? 0f : TransformerModel.MASKED;
                }
            }
            keyMask = manager.create(mask, new Shape(groups(), 1, k, width));
        }

        private float[] prefill() {
            int batch = slots.size();
            long[] tokens = new long[batch * p];
            long[] positions = new long[batch * p];
            Arrays.fill(tokens, pad);
            for (int b = 0; b < batch; b++) {
                Row row = slots.get(b);
                if (row == null) continue;
                int offset = p - row.pending.length;
                for (int i = 0; i < row.pending.length; i++) {
                    tokens[b * p + offset + i] = row.pending[i];
                    positions[b * p + offset + i] = row.cached + i;
                }
            }
            // queries of a group ordered (pending index t, row j), as the model orders them
            int columns = sc + p * k;
            float[] mask = new float[batch * p * columns];
            for (int b = 0; b < batch; b++) {
                int g = b / k;
                int j = b % k;
                for (int t = 0; t < p; t++) {
                    int query = (g * p + t) * k + j;
                    for (int col = 0; col < columns; col++) {
                        mask[query * columns + col] = visible(b, col, t) ? 0f : TransformerModel.MASKED;
                    }
                }
            }
            try (NDScope scope = new NDScope()) {
                return run(tokens, positions, p, manager.create(mask, new Shape(groups(), 1, p * k, columns)), sc);
            }
        }

        private float[] stepForward() {
            int batch = slots.size();
            long[] tokens = new long[batch];
            long[] positions = new long[batch];
            Arrays.fill(tokens, pad);
            int maxPosition = model.config().contextLength() - 1;
            for (int b = 0; b < batch; b++) {
                Row row = slots.get(b);
                if (row == null || row.finished) continue;
                tokens[b] = row.lastToken();
                positions[b] = Math.min(maxPosition, row.prefix.totalLength() + row.length - 1);
            }
            int column = sc + (p + step) * k;
            step++;
            try (NDScope scope = new NDScope()) {
                return run(tokens, positions, 1, keyMask.get(new NDIndex().addAllDim(3).addSliceDim(0, column + k)), column);
            }
        }

        /** One pass over {@code t} new positions, their keys written from {@code column}; returns the last position's logits, (B, V) flat. */
        private float[] run(long[] tokens, long[] positions, int t, NDArray mask, int column) {
            int batch = slots.size();
            NDArray tokenArray = manager.create(tokens, new Shape(batch, t));
            NDArray positionArray = manager.create(positions, new Shape(batch, t));
            NDArray logits = model.forward(tokenArray, positionArray, mask, (layer, keysValues) -> {
                kv.set(columns(layer, column, column + t * k), keysValues);
                return kv.get(columns(layer, 0, column + t * k));
            }, true, k);
            forwardCalls++;
            return logits.toFloatArray();
        }

        /** Keys and values of one layer, columns [from, to): built directly, as string indices are parsed on every call. */
        private NDIndex columns(int layer, int from, int to) {
            return new NDIndex().addIndices(layer).addAllDim(3).addSliceDim(from, to);
        }

        /** Group g's keys and values, every {@code stride}-th column of [from, to): (L, 2, N, n, D). */
        private NDIndex groupColumns(int g, int from, int to, int stride) {
            return new NDIndex().addAllDim(2).addIndices(g).addAllDim().addSliceDim(from, to, stride);
        }

        /** Row b's keys and values at positions [from, to) of its pending-then-step columns. */
        private NDIndex rowPositions(int b, int from, int to) {
            int first = sc + from * k + b % k;
            return groupColumns(b / k, first, first + (to - from) * k, k);
        }

        /** Puts the entries of nodes whose keys the prefill pass recomputed back into the cache. */
        private void storeRecomputed() {
            for (int b = 0; b < slots.size(); b++) {
                Row row = slots.get(b);
                if (row == null) continue;
                int first = p - row.pending.length; // pending index of position row.cached
                for (PrefixNode node : row.chain.subList(row.cachedNodes, row.chain.size())) {
                    if (cache.contains(node)) continue; // another row of this batch already stored it
                    int start = first + KvCache.entryStart(node) - row.cached;
                    int end = first + KvCache.entryEnd(node) - row.cached;
                    cache.put(node, slice(b, start, end));
                }
            }
        }

        /** Row b's positions [start, end) as a compact (L, 2, N, n, D) copy the cache can own, or null if empty. */
        private NDArray slice(int b, int start, int end) {
            if (end <= start) return null;
            NDArray copy = kv.get(rowPositions(b, start, end)).duplicate();
            NDScope.unregister(copy);
            return copy;
        }

        /** The row's new node, cached: its entry is the prefix's last token and every sampled token but the last. */
        private void finish(Row row, int b) {
            int[] tokens = Arrays.copyOf(row.tokens, row.length);
            PrefixNode node = row.prefix.child(tokens);
            cache.put(node, slice(b, p - 1, p - 1 + row.length));
            row.result = new DecodedSegment(node, tokens, Arrays.copyOf(row.logProbs, row.length),
                    Arrays.copyOf(row.entropies, row.length), isStop(tokens[tokens.length - 1]), version);
        }

        /**
         * Drops groups whose rows have all finished (each row's node was cached when it finished): the
         * last live groups move into their slots, copying only the columns written so far, and the
         * buffer becomes a view of its first {@code live} groups. A finished row of a live group
         * stays in its slot, fed padding, until its group ends.
         */
        private void compact(int live) {
            int written = sc + (p + step) * k;
            int last = groups() - 1;
            for (int g = 0; g < live; g++) {
                if (live(g)) continue;
                while (!live(last)) last--;
                kv.set(groupColumns(g, 0, written, 1), kv.get(groupColumns(last, 0, written, 1)));
                for (int j = 0; j < k; j++) slots.set(g * k + j, slots.get(last * k + j));
                last--;
            }
            slots.subList(live * k, slots.size()).clear();
            NDArray oldKv = kv;
            NDArray oldMask = keyMask;
            kv = kv.get(new NDIndex().addAllDim(2).addSliceDim(0, live));
            buildMask();
            oldKv.close();
            oldMask.close();
        }
    }

    /**
     * Rows per group for a call whose rows extend prefix nodes {@code siblings[i]} rows each: the k
     * that minimises an estimate of a step's cost, slots (each a row's matmuls, empty or not) plus
     * the cached columns every group reads. A slot's matmuls cost about as much as reading
     * {@value #ROW_COST_IN_COLUMNS} columns of keys and values: on CPU, {@code bench sampling} at 16
     * prompts x 16 leaves ran fastest with 30 (against 10, 100 and 300).
     */
    static int groupSize(int[] siblings, int cachedColumns) {
        int largest = Arrays.stream(siblings).max().orElse(1);
        int best = 1;
        long bestCost = Long.MAX_VALUE;
        for (int k = 1; k <= largest; k++) {
            long groups = 0;
            for (int rows : siblings) groups += (rows + k - 1) / k;
            long cost = groups * k * ROW_COST_IN_COLUMNS + groups * cachedColumns;
            if (cost < bestCost) {
                best = k;
                bestCost = cost;
            }
        }
        return best;
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

    private boolean isStop(int token) {
        for (int stop : stops) {
            if (token == stop) return true;
        }
        return false;
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
