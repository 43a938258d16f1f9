package io.treepo.policy;

import java.util.Arrays;

/**
 * A node of a prefix tree: its own tokens and a pointer to its parent's node. Pure data (no
 * tensors), so a tree of them can be checkpointed and rebuilt; decoders key their KV caches on
 * node identity, so a branch shares its ancestors' cached keys/values without copying them.
 */
public final class PrefixNode {
    private final PrefixNode parent;
    private final int[] tokens;
    private final int totalLength;

    private PrefixNode(PrefixNode parent, int[] tokens) {
        this.parent = parent;
        this.tokens = tokens.clone();
        this.totalLength = (parent == null ? 0 : parent.totalLength) + tokens.length;
    }

    /** The root of a tree: the prompt's tokens (BOS included, if the tokenizer uses one). */
    public static PrefixNode root(int[] promptTokens) {
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("a root node needs at least one prompt token");
        }
        return new PrefixNode(null, promptTokens);
    }

    /** A child holding {@code tokens} after this node's prefix. */
    public PrefixNode child(int[] tokens) {
        return new PrefixNode(this, tokens);
    }

    public PrefixNode parent() {
        return parent;
    }

    /** This node's own tokens (a copy). */
    public int[] tokens() {
        return tokens.clone();
    }

    public int ownLength() {
        return tokens.length;
    }

    /** Number of tokens from the root's first token to this node's last. */
    public int totalLength() {
        return totalLength;
    }

    /** All tokens from the root to this node, in order. */
    public int[] fullTokens() {
        int[] all = new int[totalLength];
        int end = totalLength;
        for (PrefixNode n = this; n != null; n = n.parent) {
            end -= n.tokens.length;
            System.arraycopy(n.tokens, 0, all, end, n.tokens.length);
        }
        return all;
    }

    @Override
    public String toString() {
        return "PrefixNode{length=" + totalLength + ", own=" + Arrays.toString(tokens) + "}";
    }
}
