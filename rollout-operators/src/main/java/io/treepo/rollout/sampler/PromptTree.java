package io.treepo.rollout.sampler;

import io.treepo.policy.PrefixNode;
import io.treepo.policy.SegmentDecoder.DecodeRequest;
import io.treepo.policy.SegmentDecoder.DecodedSegment;
import io.treepo.schemas.FinishReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One prompt's tree in flight: its nodes as plain data plus, beside them, the {@link PrefixNode}s the
 * decoder keys its caches on. The plain part is the whole truth ({@link #state()}); prefix nodes are
 * rebuilt from tokens on demand, which is all a restore needs.
 */
final class PromptTree {
    final String treeId;
    final String promptId;
    final AnswerCheck answers;
    private final long seed;
    private final List<SegmentNode> nodes;
    private final List<TreeState.LeafRef> leaves;
    private final List<PrefixNode> prefixes = new ArrayList<>();
    /** Nodes whose KV state the decoder may hold: released once no continuation can need them. */
    private final List<Boolean> cached = new ArrayList<>();
    private int[] frontier;
    private int round;

    PromptTree(String treeId, String promptId, int[] promptTokens, long seed, AnswerCheck answers) {
        this(new TreeState(treeId, promptId, seed, 0, List.of(SegmentNode.prompt(promptTokens)), new int[0], List.of()), answers);
    }

    PromptTree(TreeState state, AnswerCheck answers) {
        this.treeId = state.treeId();
        this.promptId = state.promptId();
        this.seed = state.seed();
        this.round = state.round();
        this.nodes = new ArrayList<>(state.nodes());
        this.leaves = new ArrayList<>(state.leaves());
        this.frontier = state.frontier();
        this.answers = answers;
        for (int i = 0; i < nodes.size(); i++) {
            prefixes.add(null);
            cached.add(false);
        }
    }

    TreeState state() {
        return new TreeState(treeId, promptId, seed, round, nodes, frontier, leaves);
    }

    /** The tree's random choices for this round: a pure function of seed and round, so a restore replays them. */
    SplittableRandom random() {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + round);
    }

    SegmentNode node(int id) {
        return nodes.get(id);
    }

    int[] promptTokens() {
        return nodes.get(0).tokens();
    }

    int[] frontier() {
        return frontier;
    }

    /** Ends the round: the continuations for the next one (empty when the tree is done). */
    void advance(int[] nextFrontier) {
        frontier = nextFrontier;
        round++;
    }

    List<TreeState.LeafRef> leaves() {
        return leaves;
    }

    int leafCount() {
        return leaves.size();
    }

    /** The prefix node for {@code id}, rebuilt from tokens (parents first) when missing. */
    PrefixNode prefix(int id) {
        PrefixNode p = prefixes.get(id);
        if (p == null) {
            SegmentNode n = nodes.get(id);
            p = n.isPrompt() ? PrefixNode.root(n.tokens()) : prefix(n.parentId()).child(n.tokens());
            prefixes.set(id, p);
        }
        return p;
    }

    /** A request to extend node {@code id}: a cut node's continuation only completes the cut level. */
    DecodeRequest request(int id, TreeConfig config) {
        SegmentNode n = nodes.get(id);
        int level = n.cut() ? config.segmentTokens() - n.levelTokens() : config.segmentTokens();
        int room = config.maxResponseTokens() - n.responseLength();
        for (int a = id; a >= 0; a = nodes.get(a).parentId()) {
            cached.set(a, true);
        }
        return new DecodeRequest(prefix(id), Math.min(level, room));
    }

    /** Records a decoded segment as a new child of {@code parentId}. */
    SegmentNode addChild(int parentId, DecodedSegment segment) {
        SegmentNode parent = nodes.get(parentId);
        int length = segment.tokens().length;
        boolean sameLevel = parent.cut();
        SegmentNode child = new SegmentNode(
                nodes.size(),
                parentId,
                sameLevel ? parent.depth() : parent.depth() + 1,
                sameLevel ? parent.levelTokens() + length : length,
                false,
                parent.responseLength() + length,
                segment.tokens(),
                segment.logProbs(),
                segment.entropies(),
                segment.policyVersion());
        register(child, segment.node());
        cached.set(child.id(), true);
        return child;
    }

    /**
     * The node a fallback continues from: a boundary node as is, or a new cut node holding the first
     * tokens of a segment (with their recorded log-probs, entropies and version) under its parent.
     */
    int cutAt(List<SegmentNode> path, FallbackPoint.Cut cut) {
        SegmentNode split = path.get(cut.segment());
        if (cut.tokens() == 0) {
            return split.parentId();
        }
        SegmentNode parent = nodes.get(split.parentId());
        int k = cut.tokens();
        SegmentNode node = new SegmentNode(
                nodes.size(),
                parent.id(),
                split.depth(),
                split.levelTokens() - split.tokens().length + k,
                true,
                parent.responseLength() + k,
                Arrays.copyOf(split.tokens(), k),
                Arrays.copyOf(split.logProbs(), k),
                Arrays.copyOf(split.entropies(), k),
                split.policyVersion());
        register(node, null);
        return node.id();
    }

    private void register(SegmentNode node, PrefixNode prefix) {
        nodes.add(node);
        prefixes.add(prefix);
        cached.add(false);
    }

    /** The segments from the first to {@code id} (the prompt excluded). */
    List<SegmentNode> path(int id) {
        List<SegmentNode> path = new ArrayList<>();
        for (int a = id; a > 0; a = nodes.get(a).parentId()) {
            path.add(0, nodes.get(a));
        }
        return path;
    }

    int[] responseTokens(int id) {
        int[] out = new int[nodes.get(id).responseLength()];
        int end = out.length;
        for (int a = id; a > 0; a = nodes.get(a).parentId()) {
            int[] t = nodes.get(a).tokens();
            end -= t.length;
            System.arraycopy(t, 0, out, end, t.length);
        }
        return out;
    }

    /** @param fr3eState the FR3E state the path was sampled from, -1 for other samplers */
    SampledLeaf finish(int id, FinishReason reason, SamplerKind kind, int fr3eState) {
        leaves.add(new TreeState.LeafRef(id, reason));
        List<SegmentNode> path = path(id);
        int[] nodePath = path.stream().mapToInt(SegmentNode::id).toArray();
        return new SampledLeaf(treeId, promptId, leaves.size() - 1, -1, promptTokens(), nodePath, path, reason, kind, fr3eState);
    }

    /**
     * Prefix nodes no continuation in the frontier descends from: their KV state can go. Marks them
     * released; call after {@link #advance}. When the tree is done this is every cached node.
     */
    List<PrefixNode> releasable() {
        boolean[] live = new boolean[nodes.size()];
        for (int id : frontier) {
            for (int a = id; a >= 0 && !live[a]; a = nodes.get(a).parentId()) {
                live[a] = true;
            }
        }
        List<PrefixNode> out = new ArrayList<>();
        for (int id = 0; id < nodes.size(); id++) {
            if (cached.get(id) && !live[id]) {
                cached.set(id, false);
                if (prefixes.get(id) != null) {
                    out.add(prefixes.get(id));
                }
            }
        }
        return out;
    }
}
