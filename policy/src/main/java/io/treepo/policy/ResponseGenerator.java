package io.treepo.policy;

import io.treepo.policy.SegmentDecoder.DecodeRequest;
import io.treepo.policy.SegmentDecoder.DecodedSegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Whole responses for a list of prompts: batches of prompts, each decoded segment by segment
 * (repeated {@link SegmentDecoder#decode} calls) until EOS or the token limit. For evaluation and
 * for tests that need plain, untreed sampling.
 */
public final class ResponseGenerator {
    private final SegmentDecoder decoder;
    private final Tokenizer tokenizer;
    private final int batchSize;
    private final int segmentTokens;

    /** A finished response: its text (specials removed), token ids (EOS included if reached). */
    public record Response(String text, int[] tokens, boolean endedWithEos) {}

    public ResponseGenerator(SegmentDecoder decoder, Tokenizer tokenizer, int batchSize, int segmentTokens) {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        if (segmentTokens < 1) throw new IllegalArgumentException("segmentTokens must be >= 1, got " + segmentTokens);
        this.decoder = decoder;
        this.tokenizer = tokenizer;
        this.batchSize = batchSize;
        this.segmentTokens = segmentTokens;
    }

    /** One response per prompt, in order; the same seed gives the same responses. */
    public List<Response> generate(List<String> prompts, SamplingConfig sampling, int maxTokens, long seed) {
        List<Response> out = new ArrayList<>(prompts.size());
        for (int from = 0; from < prompts.size(); from += batchSize) {
            out.addAll(generateBatch(prompts.subList(from, Math.min(prompts.size(), from + batchSize)), sampling, maxTokens, seed + from));
        }
        return out;
    }

    private List<Response> generateBatch(List<String> prompts, SamplingConfig sampling, int maxTokens, long seed) {
        int n = prompts.size();
        PrefixNode[] heads = new PrefixNode[n];
        List<List<PrefixNode>> nodes = new ArrayList<>();
        int[] lengths = new int[n];
        boolean[] done = new boolean[n];
        boolean[] eos = new boolean[n];
        for (int i = 0; i < n; i++) {
            heads[i] = PrefixNode.root(tokenizer.encodePrompt(prompts.get(i)));
            nodes.add(new ArrayList<>(List.of(heads[i])));
        }
        for (int round = 0; ; round++) {
            List<DecodeRequest> requests = new ArrayList<>();
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (!done[i]) {
                    requests.add(new DecodeRequest(heads[i], Math.min(segmentTokens, maxTokens - lengths[i])));
                    rows.add(i);
                }
            }
            if (requests.isEmpty()) break;
            List<DecodedSegment> segments = decoder.decode(requests, sampling, seed * 1_000_003L + round);
            for (int k = 0; k < segments.size(); k++) {
                int i = rows.get(k);
                DecodedSegment s = segments.get(k);
                heads[i] = s.node();
                nodes.get(i).add(s.node());
                lengths[i] += s.tokens().length;
                eos[i] = s.endedWithEos();
                done[i] = s.endedWithEos() || lengths[i] >= maxTokens || s.tokens().length == 0;
            }
        }
        List<Response> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            nodes.get(i).forEach(decoder::release);
            int[] all = heads[i].fullTokens();
            int[] response = Arrays.copyOfRange(all, all.length - lengths[i], all.length);
            out.add(new Response(tokenizer.decode(response), response, eos[i]));
        }
        return out;
    }
}
