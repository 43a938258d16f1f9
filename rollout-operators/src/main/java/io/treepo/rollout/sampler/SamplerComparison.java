package io.treepo.rollout.sampler;

import io.treepo.policy.SegmentDecoder;
import io.treepo.policy.Tokenizer;
import io.treepo.tasks.Task;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The same prompts and model through the tree sampler and the independent sampler (TREEPO.md
 * section 5): compute, wall time and reward of both, for {@code treepo bench sampling}. Each sampler
 * gets every prompt of the run in one batch, or, with a limit on trees in flight, grows at most that
 * many at once and starts the next prompt as soon as a tree completes, as the rollout operator does
 * (rounds then mix trees of every depth, as in the job). Each keeps a decoder of its own from run
 * to run, as an operator keeps its decoder: a run starts with an empty cache all the same, since a
 * tree releases its nodes' entries as it completes.
 *
 * <p>Timing on a shared CPU is noisy, and the engine's first pass over a batch shape is slow (so is a
 * decoder's first call at a new size, which grows its buffer): both samplers run once unmeasured,
 * then {@code repeats} times interleaved, and each keeps its fastest run (the one least disturbed);
 * the ratio of each pair of interleaved runs is kept too.
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

    /**
     * One sampler's run.
     *
     * @param meanReward over all leaves
     * @param meanBestReward over prompts, of each prompt's best leaf: whether a sampler finds the answers at all,
     *     which the tree's budget rule skews less than the mean (a path that ends early hands its leaves to the others)
     */
    public record Run(SamplerKind kind, SamplerStats stats, double meanReward, double meanBestReward) {
        public double secondsPerLeaf() {
            return stats.wallNanos() / 1e9 / stats.leaves();
        }

        public double microsPerToken() {
            return stats.wallNanos() / 1e3 / stats.processedTokens();
        }

        /** Newly sampled tokens per second: what the job reports as its rollout decode rate. */
        public double decodedTokensPerSecond() {
            return stats.decodedTokens() / (stats.wallNanos() / 1e9);
        }
    }

    /**
     * Both samplers' fastest runs, tree first, and the time-per-leaf ratio of each interleaved pair of
     * runs: a pair ran back to back, so a slow spell of the machine tends to slow both of its runs.
     */
    public record Result(Run tree, Run independent, List<Double> pairTimePerLeafRatios) {
        public Result {
            pairTimePerLeafRatios = List.copyOf(pairTimePerLeafRatios);
        }

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

        /** The median of {@link #pairTimePerLeafRatios}: less at the mercy of one lucky run than the fastest runs' ratio. */
        public double medianPairTimePerLeafRatio() {
            List<Double> sorted = pairTimePerLeafRatios.stream().sorted().toList();
            int n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }
    }

    /**
     * @param config the tree configuration; the independent run uses it with {@link SamplerKind#INDEPENDENT}
     * @param inFlight trees a sampler grows at once, 0 for all of them
     */
    public Result compare(TreeConfig config, List<Task.Problem> problems, long seed, int repeats, int inFlight) {
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
        }
        if (inFlight < 0) {
            throw new IllegalArgumentException("inFlight must be >= 0, got " + inFlight);
        }
        TreeConfig treeConfig = config.toBuilder().kind(SamplerKind.TREE).build();
        TreeConfig independentConfig = config.toBuilder().kind(SamplerKind.INDEPENDENT).build();
        try (SegmentDecoder treeDecoder = decoders.get(); SegmentDecoder independentDecoder = decoders.get()) {
            run(treeConfig, treeDecoder, problems, seed, inFlight);
            run(independentConfig, independentDecoder, problems, seed, inFlight);
            Run tree = null;
            Run independent = null;
            List<Double> pairRatios = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                Run treeRun = run(treeConfig, treeDecoder, problems, seed, inFlight);
                Run independentRun = run(independentConfig, independentDecoder, problems, seed, inFlight);
                pairRatios.add(treeRun.secondsPerLeaf() / independentRun.secondsPerLeaf());
                tree = faster(tree, treeRun);
                independent = faster(independent, independentRun);
            }
            return new Result(tree, independent, pairRatios);
        }
    }

    private static Run faster(Run best, Run next) {
        return best == null || next.stats().wallNanos() < best.stats().wallNanos() ? next : best;
    }

    /** One sampler over every problem, at most {@code inFlight} trees at once (0: all). */
    private Run run(TreeConfig config, SegmentDecoder decoder, List<Task.Problem> problems, long seed, int inFlight) {
        RolloutSampler sampler = new RolloutSampler(config, decoder, tokenizer::decode, seed);
        int limit = inFlight == 0 ? problems.size() : inFlight;
        int next = 0;
        Map<String, String> references = new HashMap<>();
        List<SampledLeaf> leaves = new ArrayList<>();
        do {
            for (; next < problems.size() && sampler.activeTrees() < limit; next++) {
                Task.Problem problem = problems.get(next);
                references.put("prompt-" + next, problem.reference());
                sampler.start(new RolloutSampler.TreeRequest("tree-" + next, "prompt-" + next,
                        tokenizer.encodePrompt(problem.prompt()), task::answerFound, seed + next));
            }
            leaves.addAll(sampler.round().leaves());
        } while (sampler.activeTrees() > 0 || next < problems.size());
        Rewards rewards = new Rewards();
        for (SampledLeaf leaf : leaves) {
            rewards.add(leaf.promptId(), task.score(tokenizer.decode(leaf.responseTokens()), references.get(leaf.promptId())).reward());
        }
        return new Run(config.kind(), sampler.totals(), rewards.mean(), rewards.meanBest());
    }

    /** Leaves' rewards: their mean, and the mean over prompts of each prompt's best. */
    static final class Rewards {
        private final Map<String, Double> best = new HashMap<>();
        private double total;
        private int leaves;

        void add(String promptId, double reward) {
            total += reward;
            leaves++;
            best.merge(promptId, reward, Math::max);
        }

        double mean() {
            return leaves == 0 ? 0 : total / leaves;
        }

        double meanBest() {
            return best.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
        }
    }
}
