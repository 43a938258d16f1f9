package io.treepo.rollout.sampler;

import io.treepo.policy.DecodeCounters;
import io.treepo.policy.PrefixNode;
import io.treepo.policy.SamplingConfig;
import io.treepo.policy.SegmentDecoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A decoder whose segments a test scripts, with the counters and cache bookkeeping of a real one:
 * prefill for an unseen root, recompute for an unseen non-root prefix, one forward call per step.
 */
final class StubDecoder implements SegmentDecoder {
    static final int EOS = 0;

    /** Decides one row's segment. */
    @FunctionalInterface
    interface Script {
        Row next(PrefixNode prefix, int maxTokens, Random random);
    }

    /** A scripted segment; {@code tokens} longer than the request are cut to it. */
    record Row(int[] tokens, float[] logProbs, float[] entropies) {
        static Row of(int[] tokens, float logProb, float entropy) {
            float[] lp = new float[tokens.length];
            float[] en = new float[tokens.length];
            Arrays.fill(lp, logProb);
            Arrays.fill(en, entropy);
            return new Row(tokens, lp, en);
        }
    }

    /** Random letters (token ids 1..26), never EOS, so no accidental repetition or stop. */
    static int[] letters(int n, Random random) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = 1 + random.nextInt(26);
        }
        return t;
    }

    /** Tokens as text: EOS is '$', 1..26 are 'a'..'z'. */
    static final Detokenizer TEXT = tokens -> {
        StringBuilder sb = new StringBuilder();
        for (int t : tokens) {
            sb.append(t == EOS ? '$' : (char) ('a' + t - 1));
        }
        return sb.toString();
    };

    private final Script script;
    private final Set<PrefixNode> cached = Collections.newSetFromMap(new IdentityHashMap<>());
    final List<List<DecodeRequest>> calls = new ArrayList<>();
    final List<PrefixNode> released = new ArrayList<>();
    long policyVersion = 3;
    private long prefill;
    private long decoded;
    private long recomputed;
    private long forwards;

    StubDecoder(Script script) {
        this.script = script;
    }

    @Override
    public List<DecodedSegment> decode(List<DecodeRequest> requests, SamplingConfig sampling, long seed) {
        calls.add(List.copyOf(requests));
        Random random = new Random(seed);
        List<DecodedSegment> out = new ArrayList<>();
        int longest = 0;
        boolean anyMissing = false;
        for (DecodeRequest request : requests) {
            anyMissing |= ensureCached(request.prefix());
            Row row = script.next(request.prefix(), request.maxTokens(), random);
            int n = row.tokens().length;
            for (int i = 0; i < row.tokens().length; i++) {
                if (row.tokens()[i] == EOS) {
                    n = i + 1;
                    break;
                }
            }
            n = Math.min(n, request.maxTokens());
            int[] tokens = Arrays.copyOf(row.tokens(), n);
            PrefixNode child = request.prefix().child(tokens);
            cached.add(child);
            decoded += n;
            longest = Math.max(longest, n);
            out.add(new DecodedSegment(child, tokens, Arrays.copyOf(row.logProbs(), n), Arrays.copyOf(row.entropies(), n),
                    n > 0 && tokens[n - 1] == EOS, policyVersion));
        }
        forwards += longest + (anyMissing ? 1 : 0);
        return out;
    }

    /** Fills missing prefix state, parents first; true when anything had to be computed. */
    private boolean ensureCached(PrefixNode node) {
        if (node == null || cached.contains(node)) {
            return false;
        }
        ensureCached(node.parent());
        if (node.parent() == null) {
            prefill += node.ownLength();
        } else {
            recomputed += node.ownLength();
        }
        cached.add(node);
        return true;
    }

    boolean isCached(PrefixNode node) {
        return cached.contains(node);
    }

    int cachedNodes() {
        return cached.size();
    }

    @Override
    public void release(PrefixNode node) {
        released.add(node);
        cached.remove(node);
    }

    @Override
    public long policyVersion() {
        return policyVersion;
    }

    @Override
    public DecodeCounters counters() {
        return new DecodeCounters(prefill, decoded, recomputed, forwards, 0, 0, 0);
    }

    @Override
    public int eosToken() {
        return EOS;
    }

    @Override
    public void close() {}
}
