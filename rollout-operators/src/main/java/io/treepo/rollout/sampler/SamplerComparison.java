package io.treepo.rollout.sampler;

import io.treepo.policy.SegmentDecoder;
import io.treepo.policy.Tokenizer;
import io.treepo.tasks.Task;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The same prompts and model through the tree sampler and the independent sampler (TREEPO.md
 * section 5): compute, wall time and reward of both, for {@code treepo bench sampling}. Each sampler
 * gets every prompt of the run in one batch, as an operator would, and a decoder of its own that it
 * keeps from run to run, as an operator keeps its decoder: a run starts with an empty cache all the
 * same, since a tree releases its nodes' entries as it completes.
 *
 * <p>Timing on a shared CPU is noisy, and the engine's first pass over a batch shape is slow (so is a
 * decoder's first call at a new size, which grows its buffer): both samplers run once unmeasured,
 * then {@code repeats} times interleaved, and each keeps its fastest run (the one least disturbed).
 * Token counts do not vary between repeats: the seeds are fixed.
 */
public final class SamplerComparison {
    private final Supplier<SegmentDecoder> decoders;
    private final Tokenizer tokenizer;
    private final Task task;

    /** @param decoders makes a decoder over the model to compare on, one per sampler */
    public SamplerComparison(Supplier<SegmentDecoder> decoders, Tokenizer tokenizer, Task task) {
        this.decoders = decoders;
        this.tokenizer = tokenizer;
        this.task = task;
    }

    /** One sampler's run. */
    public record Run(SamplerKind kind, SamplerStats stats, double meanReward) {
        public double secondsPerLeaf() {
            return stats.wallNanos() / 1e9 / stats.leaves();
        }

        public double microsPerToken() {
            return stats.wallNanos() / 1e3 / stats.processedTokens();
        }
    }

    /** Both runs, tree first. */
    public record Result(Run tree, Run independent) {
        /** Tokens processed (prefill + decode + recompute), tree over independent. */
        public double tokenRatio() {
            return (double) tree.stats().processedTokens() / independent.stats().processedTokens();
        }

        /** Newly sampled tokens only, tree over independent: the ratio if the baseline's prefill were free. */
        public double decodedTokenRatio() {
            return (double) tree.stats().decodedTokens() / independent.stats().decodedTokens();
        }

        public double timePerLeafRatio() {
            return tree.secondsPerLeaf() / independent.secondsPerLeaf();
        }

        public double timePerTokenRatio() {
            return tree.microsPerToken() / independent.microsPerToken();
        }
    }

    /** @param config the tree configuration; the independent run uses it with {@link SamplerKind#INDEPENDENT} */
    public Result compare(TreeConfig config, List<Task.Problem> problems, long seed, int repeats) {
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
        }
        TreeConfig treeConfig = config.toBuilder().kind(SamplerKind.TREE).build();
        TreeConfig independentConfig = config.toBuilder().kind(SamplerKind.INDEPENDENT).build();
        try (SegmentDecoder treeDecoder = decoders.get(); SegmentDecoder independentDecoder = decoders.get()) {
            run(treeConfig, treeDecoder, problems, seed);
            run(independentConfig, independentDecoder, problems, seed);
            Run tree = null;
            Run independent = null;
            for (int r = 0; r < repeats; r++) {
                tree = faster(tree, run(treeConfig, treeDecoder, problems, seed));
                independent = faster(independent, run(independentConfig, independentDecoder, problems, seed));
            }
            return new Result(tree, independent);
        }
    }

    private static Run faster(Run best, Run next) {
        return best == null || next.stats().wallNanos() < best.stats().wallNanos() ? next : best;
    }

    /** One sampler over every problem at once. */
    private Run run(TreeConfig config, SegmentDecoder decoder, List<Task.Problem> problems, long seed) {
        RolloutSampler sampler = new RolloutSampler(config, decoder, tokenizer::decode, seed);
        Map<String, Task.Problem> byPrompt = new HashMap<>();
        for (int i = 0; i < problems.size(); i++) {
            byPrompt.put("prompt-" + i, problems.get(i));
            sampler.start(new RolloutSampler.TreeRequest("tree-" + i, "prompt-" + i,
                    tokenizer.encodePrompt(problems.get(i).prompt()), task::answerFound, seed + i));
        }
        double reward = sampler.runToCompletion().stream()
                .mapToDouble(l -> task.score(tokenizer.decode(l.responseTokens()), byPrompt.get(l.promptId()).reference()).reward())
                .average().orElse(0);
        return new Run(config.kind(), sampler.totals(), reward);
    }
}
