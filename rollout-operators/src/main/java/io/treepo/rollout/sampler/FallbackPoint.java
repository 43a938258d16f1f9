package io.treepo.rollout.sampler;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/** Where a fallback cuts a finished leaf to continue from it (TREEPO.md section 1, step 5). */
public enum FallbackPoint {
    /** A segment boundary chosen uniformly, the bare prompt included, the leaf's end excluded. */
    RANDOM_BOUNDARY {
        @Override
        Cut choose(List<SegmentNode> path, SplittableRandom random) {
            int boundary = random.nextInt(path.size());
            return new Cut(boundary, 0);
        }
    },
    /** Just before the leaf's least likely sampled token, so the copies resample it. */
    LOWEST_LOG_PROB {
        @Override
        Cut choose(List<SegmentNode> path, SplittableRandom random) {
            return extremeToken(path, node -> negate(node.logProbs()));
        }
    },
    /** Just before the token where the policy was most uncertain. */
    HIGHEST_ENTROPY {
        @Override
        Cut choose(List<SegmentNode> path, SplittableRandom random) {
            return extremeToken(path, SegmentNode::entropies);
        }
    };

    /**
     * A cut: keep segments {@code [0, segment)} of the path whole, then the first {@code tokens} of
     * segment {@code segment} (0 keeps none of it: the cut is the boundary before it).
     */
    record Cut(int segment, int tokens) {}

    /** @param path the leaf's segments, first to last (the prompt excluded) */
    abstract Cut choose(List<SegmentNode> path, SplittableRandom random);

    /** The first token with the largest score over the whole path. */
    private static Cut extremeToken(List<SegmentNode> path, Function<SegmentNode, float[]> score) {
        Cut best = new Cut(0, 0);
        float bestScore = Float.NEGATIVE_INFINITY;
        for (int s = 0; s < path.size(); s++) {
            float[] values = score.apply(path.get(s));
            for (int t = 0; t < values.length; t++) {
                if (values[t] > bestScore) {
                    bestScore = values[t];
                    best = new Cut(s, t);
                }
            }
        }
        return best;
    }

    private static float[] negate(float[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = -values[i];
        }
        return out;
    }
}
