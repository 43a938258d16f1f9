package io.treepo.rollout.sampler;

import io.treepo.policy.DecodeCounters;
import io.treepo.policy.SegmentDecoder;
import io.treepo.policy.SegmentDecoder.DecodeRequest;
import io.treepo.policy.SegmentDecoder.DecodedSegment;
import io.treepo.schemas.FinishReason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Grows many prompts' trees together, one segment per round (TREEPO.md sections 1 to 3). Each
 * {@link #round()} decodes one segment for every active path of every tree in ONE decoder call,
 * classifies the paths, hands out the leaves that finished, and plans the next round. Finished paths
 * cost nothing from then on; a node's cache is released as soon as nothing can extend it again.
 *
 * <p>Typical operator loop:
 * <pre>{@code
 * sampler.start(new TreeRequest(treeId, promptId, promptTokens, answerCheck, seed));
 * while (sampler.activeTrees() > 0) {
 *     RoundResult r = sampler.round();
 *     r.leaves().forEach(out::collect);
 * }
 * }</pre>
 *
 * <p>Not thread-safe, like the decoder it drives.
 */
public final class RolloutSampler {
    private final TreeConfig config;
    private final SegmentDecoder decoder;
    private final FinishRule finishRule;
    private final Expansion expansion;
    private final long seed;
    private final Map<String, PromptTree> trees = new LinkedHashMap<>();
    private SamplerStats totals = SamplerStats.ZERO;
    private long rounds;

    /** @param seed drives token sampling; each tree's own choices come from its request's seed */
    public RolloutSampler(TreeConfig config, SegmentDecoder decoder, Detokenizer detokenizer, long seed) {
        this.config = config;
        this.decoder = decoder;
        this.finishRule = new FinishRule(config, decoder.eosToken(), detokenizer);
        this.expansion = Expansion.of(config);
        this.seed = seed;
    }

    /** A prompt to grow a tree for. */
    public record TreeRequest(String treeId, String promptId, int[] promptTokens, AnswerCheck answers, long seed) {}

    /** Adds a tree; its first segments are decoded by the next {@link #round()}. */
    public void start(TreeRequest request) {
        requireNew(request.treeId());
        PromptTree tree = new PromptTree(request.treeId(), request.promptId(), request.promptTokens(), request.seed(), request.answers());
        tree.advance(expansion.start(tree, tree.random()));
        trees.put(request.treeId(), tree);
    }

    /**
     * Carries on a checkpointed tree. Nothing finished is decoded again; the prefixes of its active
     * paths are rebuilt from tokens, which the decoder recomputes (and counts) on first use.
     */
    public void resume(TreeState state, AnswerCheck answers) {
        requireNew(state.treeId());
        trees.put(state.treeId(), new PromptTree(state, answers));
    }

    /** Every tree in flight as plain values, for a checkpoint. */
    public List<TreeState> snapshot() {
        return trees.values().stream().map(PromptTree::state).toList();
    }

    public int activeTrees() {
        return trees.size();
    }

    /** Compute and leaves of all rounds so far. */
    public SamplerStats totals() {
        return totals;
    }

    public TreeConfig config() {
        return config;
    }

    /** One segment for every active path of every tree, in one decode call. */
    public RoundResult round() {
        long t0 = System.nanoTime();
        DecodeCounters before = decoder.counters();
        List<PromptTree> owners = new ArrayList<>();
        List<Integer> parents = new ArrayList<>();
        List<DecodeRequest> requests = new ArrayList<>();
        for (PromptTree tree : trees.values()) {
            for (int id : tree.frontier()) {
                owners.add(tree);
                parents.add(id);
                requests.add(tree.request(id, config));
            }
        }
        List<DecodedSegment> decoded = requests.isEmpty()
                ? List.of()
                : decoder.decode(requests, config.sampling(), seed * 31 + rounds);
        rounds++;

        Map<PromptTree, Outcome> outcomes = new LinkedHashMap<>();
        trees.values().forEach(tree -> outcomes.put(tree, new Outcome()));
        for (int i = 0; i < decoded.size(); i++) {
            PromptTree tree = owners.get(i);
            DecodedSegment segment = decoded.get(i);
            SegmentNode node = tree.addChild(parents.get(i), segment);
            FinishReason reason = finishRule.classify(
                    node, segment.endedWithEos(), () -> tree.responseTokens(node.id()), tree.answers);
            Outcome outcome = outcomes.get(tree);
            if (reason == null) {
                outcome.active.add(node.id());
            } else {
                outcome.finished.add(tree.finish(node.id(), reason, config.kind(), expansion.state(tree, node.id())));
            }
        }

        List<SampledLeaf> leaves = new ArrayList<>();
        List<String> completed = new ArrayList<>();
        outcomes.forEach((tree, outcome) -> {
            tree.advance(expansion.next(tree, outcome.active, outcome.finished.size(), tree.random()));
            tree.releasable().forEach(decoder::release);
            if (tree.frontier().length == 0) {
                markLast(outcome.finished, tree.leafCount());
                completed.add(tree.treeId);
                trees.remove(tree.treeId);
            }
            leaves.addAll(outcome.finished);
        });
        SamplerStats stats = SamplerStats.ofRound(decoder.counters().minus(before), leaves, System.nanoTime() - t0);
        totals = totals.plus(stats);
        return new RoundResult(leaves, completed, stats);
    }

    /** Runs rounds until every tree is complete; returns all their leaves (benchmarks and tests). */
    public List<SampledLeaf> runToCompletion() {
        List<SampledLeaf> leaves = new ArrayList<>();
        while (!trees.isEmpty()) {
            leaves.addAll(round().leaves());
        }
        return leaves;
    }

    private static void markLast(List<SampledLeaf> finished, int total) {
        int last = finished.size() - 1;
        if (last < 0) {
            throw new IllegalStateException("a tree completed in a round where none of its leaves finished");
        }
        finished.set(last, finished.get(last).withLeavesInTree(total));
    }

    private void requireNew(String treeId) {
        if (trees.containsKey(treeId)) {
            throw new IllegalArgumentException("tree " + treeId + " is already in flight");
        }
    }

    /** One tree's paths after a round's classification. */
    private static final class Outcome {
        final List<Integer> active = new ArrayList<>();
        final List<SampledLeaf> finished = new ArrayList<>();
    }
}
