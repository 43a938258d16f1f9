package io.treepo.cli;

import io.treepo.jobs.JobConfig;
import io.treepo.kafka.Topics;
import io.treepo.policy.ModelFiles;
import io.treepo.schemas.weights.WeightsStore;
import io.treepo.policy.SamplingConfig;
import io.treepo.policy.TrainerConfig;
import io.treepo.rollout.operator.RolloutConfig;
import io.treepo.rollout.sampler.DivergencePolicy;
import io.treepo.rollout.sampler.FallbackPoint;
import io.treepo.rollout.sampler.SamplerKind;
import io.treepo.rollout.sampler.SoftmaxDivergence;
import io.treepo.rollout.reward.RewardRule;
import io.treepo.rollout.sampler.TreeConfig;
import io.treepo.trainer.Estimator;
import io.treepo.trainer.PpoConfig;
import io.treepo.trainer.operator.TrainerSettings;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The streaming loop's options, shared by {@code demo} and {@code job}. Defaults suit the small CPU policy. */
final class LoopOptions {

    /** Well under the 1 MiB a default Kafka producer and broker accept, record overhead included. */
    static final int WEIGHT_CHUNK_BYTES = 512 * 1024;

    /** Divergence policies by their command-line names. */
    enum Divergence {
        fixed, logprob, entropy;

        /** @param temperature of the softmax over the paths' statistic (ignored by fixed) */
        DivergencePolicy policy(double temperature) {
            return switch (this) {
                case fixed -> DivergencePolicy.fixed();
                case logprob -> DivergencePolicy.logProb(SoftmaxDivergence.Sign.UNCERTAIN, temperature);
                case entropy -> DivergencePolicy.entropy(temperature);
            };
        }
    }

    /**
     * A path's mean token log-prob and entropy differ from another's by tenths of a nat on a trained
     * policy: at temperature 1 the softmax is nearly flat and logprob and entropy split like fixed.
     */
    static final String DIVERGENCE_TEMPERATURE = "0.05";

    @Option(names = "--divergence-temperature", paramLabel = "T", defaultValue = DIVERGENCE_TEMPERATURE,
            description = "Softmax temperature of the logprob and entropy divergence policies, in nats of the paths' statistic; "
                    + "lower sends branches more decidedly to the uncertain paths. Default: ${DEFAULT-VALUE}.")
    double divergenceTemperature;

    @Option(names = "--sampler", paramLabel = "KIND", defaultValue = "tree",
            description = "tree (TreePO), independent (the GRPO baseline) or fr3e (FR3E: rollouts from the uncertain points of a "
                    + "first-return trajectory, trained with the FR3E estimator). Default: ${DEFAULT-VALUE}.")
    String sampler;

    @Option(names = "--fr3e-states", paramLabel = "K", defaultValue = "3",
            description = "With --sampler fr3e: states cut from the first-return trajectory, before its K most uncertain tokens, "
                    + "besides the prompt; --width is shared evenly over the K + 1 states (the trajectory counts as one of the "
                    + "prompt's rollouts), so it must be a multiple of K + 1 giving at least 2 each. Default: ${DEFAULT-VALUE}.")
    int fr3eStates;

    @Option(names = "--width", paramLabel = "N", defaultValue = "8", description = "Leaves per prompt. Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--segment-tokens", paramLabel = "N", defaultValue = "16", description = "Tokens per tree segment. Default: ${DEFAULT-VALUE}.")
    int segmentTokens;

    @Option(names = "--max-depth", paramLabel = "N", defaultValue = "8", description = "Segments on a path at most. Default: ${DEFAULT-VALUE}.")
    int maxDepth;

    @Option(names = "--max-response-tokens", paramLabel = "N", defaultValue = "128", description = "Response length cap. Default: ${DEFAULT-VALUE}.")
    int maxResponseTokens;

    @Option(names = "--branch", paramLabel = "N", defaultValue = "2", description = "Branching factor. Default: ${DEFAULT-VALUE}.")
    int branch;

    @Option(names = "--first-divergence", paramLabel = "MIN[-MAX]", defaultValue = "2",
            description = "Paths from the root, fixed or drawn per tree from a range (e.g. 2-8). Default: ${DEFAULT-VALUE}.")
    String firstDivergence;

    @Option(names = "--divergence", paramLabel = "POLICY", defaultValue = "fixed",
            description = "How branches are spread: ${COMPLETION-CANDIDATES} (entropy is FR3E-style). Default: ${DEFAULT-VALUE}.")
    Divergence divergence;

    @Option(names = "--fallback", paramLabel = "POINT", defaultValue = "RANDOM_BOUNDARY",
            description = "Where a fallback cuts a leaf: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    FallbackPoint fallback;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0", description = "Sampling temperature. Default: ${DEFAULT-VALUE}.")
    float temperature;

    @Option(names = "--check-work", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Reward arithmetic leaves for a right answer only when every worked step is true as well: a small policy "
                    + "often reaches the right answer through a wrong step, and rewarding that teaches the wrong step "
                    + "(--no-check-work rewards the answer alone). Held-out accuracy scores the answer alone either way. "
                    + "Default: ${DEFAULT-VALUE}.")
    boolean checkWork;

    @Option(names = "--trees-per-step", paramLabel = "N", defaultValue = "16",
            description = "Scored trees per policy update (one published version each). Default: ${DEFAULT-VALUE}.")
    int treesPerStep;

    @Option(names = "--mini-batch-leaves", paramLabel = "N", defaultValue = "64",
            description = "Leaves per optimiser step within an update. Default: ${DEFAULT-VALUE}.")
    int miniBatchLeaves;

    // 5e-5 with the work checked lifted held-out accuracy 27% -> 31-34% over 200-800 updates in `bench learning`;
    // 1e-4 and above lost accuracy (BENCHMARKS.md, Learning).
    @Option(names = "--learning-rate", paramLabel = "RATE", defaultValue = "5e-5", description = "Peak learning rate. Default: ${DEFAULT-VALUE}.")
    float learningRate;

    @Option(names = "--lr-decay-steps", paramLabel = "N", defaultValue = "0",
            description = "Optimiser steps over which the rate falls linearly to a tenth of its peak, then stays; 0 keeps the peak "
                    + "(an update takes a step per --mini-batch-leaves trained leaves). Default: ${DEFAULT-VALUE}.")
    int lrDecaySteps;

    @Option(names = "--ppo-epochs", paramLabel = "N", defaultValue = "1",
            description = "Passes over each training batch (TreePO: 1); 4 lost accuracy in `bench learning` (BENCHMARKS.md). Default: ${DEFAULT-VALUE}.")
    int ppoEpochs;

    @Option(names = "--estimator", paramLabel = "NAME",
            description = "Advantage estimator: ${COMPLETION-CANDIDATES}. Default: the sampler's own (TREE_AVERAGE for tree, GRPO for "
                    + "independent, FR3E for fr3e, the only one that sampler takes).")
    Estimator estimator;

    @Option(names = "--max-staleness", paramLabel = "N", defaultValue = "4",
            description = "Leaves sampled more than this many versions ago are dropped. Default: ${DEFAULT-VALUE}.")
    long maxStaleness;

    @Option(names = "--rollout-parallelism", paramLabel = "N", defaultValue = "1", description = "Rollout subtasks. Default: ${DEFAULT-VALUE}.")
    int rolloutParallelism;

    @Option(names = "--max-trees-in-flight", paramLabel = "N", defaultValue = "16",
            description = "Trees a rollout subtask grows at once (more waits in Kafka). Default: ${DEFAULT-VALUE}.")
    int maxTreesInFlight;

    @Option(names = "--cache-mb", paramLabel = "MB", defaultValue = "256", description = "KV cache budget per rollout subtask. Default: ${DEFAULT-VALUE}.")
    long cacheMb;

    @Option(names = "--tree-timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "A tree still missing leaves after this is trained on what arrived. Default: ${DEFAULT-VALUE}.")
    long treeTimeoutSeconds;

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "auto", description = "auto, cpu or gpu. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of every random choice of the loop. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--group-id", paramLabel = "ID", defaultValue = "treepo", description = "Kafka consumer group of the job. Default: ${DEFAULT-VALUE}.")
    String groupId;

    @Option(names = "--weights-dir", paramLabel = "URI",
            description = "Where policy versions of at least --weights-by-reference-mb go (file:///..., s3://..., hdfs://...: any "
                    + "Flink file system every TaskManager reaches); the weights topic then carries their URI, size and SHA-256. "
                    + "Default for demo and compare: the report's weights/ folder; job: none (a model that large is refused).")
    String weightsDir;

    @Option(names = "--weights-by-reference-mb", paramLabel = "MB", defaultValue = "256",
            description = "Versions of at least this many MB (float32 weights) go by reference through --weights-dir; smaller "
                    + "ones travel as chunks on the weights topic. Default: ${DEFAULT-VALUE}.")
    long weightsByReferenceMb;

    /** The job's settings; versions by reference go to {@code --weights-dir}, or {@code defaultWeightsDir} when that is not given. */
    JobConfig toJobConfig(Properties kafka, ModelFiles.Model warmStart, String defaultWeightsDir) {
        String dir = weightsDir != null ? weightsDir : defaultWeightsDir;
        WeightsStore store = dir == null ? null : new WeightsStore(dir, weightsByReferenceMb << 20);
        long size = warmStart.weights().payload().length;
        if (store == null && size >= weightsByReferenceMb << 20) {
            throw new IllegalArgumentException("--weights-dir: the model's versions are " + (size >> 20) + " MB, at least --weights-by-reference-mb "
                    + weightsByReferenceMb + ": they go by reference, so name a file system every TaskManager reaches");
        }
        byte[] version0 = WarmStart.asVersionZero(warmStart.weights(), store);
        RolloutConfig rollout = new RolloutConfig(treeConfig(), maxTreesInFlight, version0, cacheMb << 20, seed, device, warmStart.tokenizerFiles());
        return new JobConfig(kafka, Topics.defaults(), groupId, rolloutParallelism, rollout, trainerSettings(warmStart, version0).withWeightsStore(store), 2,
                Duration.ofSeconds(10), Duration.ofSeconds(treeTimeoutSeconds), 2000).withReward(rewardRule());
    }

    RewardRule rewardRule() {
        return new RewardRule(checkWork);
    }

    /** Refuses bad tree options, {@code --ppo-epochs} and {@code --lr-decay-steps} at once, before a warm start is loaded or pretrained. */
    void validate(CommandSpec spec) {
        if (ppoEpochs < 1) throw new ParameterException(spec.commandLine(), "--ppo-epochs must be >= 1, got " + ppoEpochs);
        if (lrDecaySteps < 0) throw new ParameterException(spec.commandLine(), "--lr-decay-steps must be >= 0, got " + lrDecaySteps);
        if (weightsByReferenceMb < 0) {
            throw new ParameterException(spec.commandLine(), "--weights-by-reference-mb must be >= 0, got " + weightsByReferenceMb);
        }
        if (weightsDir != null && weightsDir.isBlank()) throw new ParameterException(spec.commandLine(), "--weights-dir must not be blank");
        try {
            validateFr3e();
            treeConfig();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** FR3E's options in the command line's words; FR3E leaves and the FR3E estimator only go together. */
    private void validateFr3e() {
        if (fr3eStates < 1) throw new IllegalArgumentException("--fr3e-states must be >= 1, got " + fr3eStates);
        boolean fr3e = samplerKind() == SamplerKind.FR3E;
        if (!fr3e && estimator == Estimator.FR3E) {
            throw new IllegalArgumentException("--estimator FR3E needs --sampler fr3e: only its leaves carry FR3E states");
        }
        if (!fr3e) {
            return;
        }
        if (estimator != null && estimator != Estimator.FR3E) {
            throw new IllegalArgumentException("--estimator " + estimator + " does not fit --sampler fr3e, whose leaves are trained by FR3E");
        }
        int states = fr3eStates + 1;
        if (width % states != 0 || width / states < 2) {
            throw new IllegalArgumentException("--width " + width + " must be a multiple of --fr3e-states + 1 = " + states
                    + " of at least 2 rollouts per state with --sampler fr3e");
        }
    }

    TreeConfig treeConfig() {
        int[] first = parseFirstDivergence(firstDivergence);
        return TreeConfig.builder()
                .kind(samplerKind())
                .width(width)
                .segmentTokens(segmentTokens)
                .maxDepth(maxDepth)
                .maxResponseTokens(maxResponseTokens)
                .branch(branch)
                .firstDivergence(first[0], first[1])
                .divergence(divergence.policy(divergenceTemperature))
                .fallbackPoint(fallback)
                .sampling(new SamplingConfig(temperature, 0, 1f))
                .fr3eStates(fr3eStates)
                .build();
    }

    TrainerSettings trainerSettings(ModelFiles.Model warmStart) {
        return trainerSettings(warmStart, WarmStart.asVersionZero(warmStart.weights(), null));
    }

    private TrainerSettings trainerSettings(ModelFiles.Model warmStart, byte[] version0) {
        return new TrainerSettings(chosenEstimator(), PpoConfig.defaults().withEpochs(ppoEpochs), maxStaleness, true, miniBatchLeaves,
                TrainerConfig.defaults().withLearningRate(learningRate).withDecaySteps(lrDecaySteps), version0, treesPerStep, WEIGHT_CHUNK_BYTES, device,
                warmStart.tokenizerFiles(), null);
    }

    private SamplerKind samplerKind() {
        return samplerKind("--sampler", sampler);
    }

    /** The sampler named {@code name} (its {@link SamplerKind#label}); the message names {@code option}. */
    static SamplerKind samplerKind(String option, String name) {
        return Arrays.stream(SamplerKind.values()).filter(k -> k.label().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(option + " must be one of " + Arrays.stream(SamplerKind.values())
                        .map(SamplerKind::label).collect(Collectors.joining(", ")) + ", got '" + name + "'"));
    }

    /** {@code --estimator}, or the sampler's own. */
    Estimator chosenEstimator() {
        return estimator != null ? estimator : pairedEstimator(samplerKind());
    }

    /**
     * The advantage estimator each sampler trains with unless {@code --estimator} says otherwise, and the one
     * {@code compare} pairs it with: the only place that pairs them, so a new sampler adds its case here.
     */
    static Estimator pairedEstimator(SamplerKind kind) {
        return switch (kind) {
            case TREE -> Estimator.TREE_AVERAGE;
            case INDEPENDENT -> Estimator.GRPO; // GRPO's group baseline: the independent sampler's leaves share only the prompt
            case FR3E -> Estimator.FR3E; // its leaves carry (trajectory, state) keys, which only FR3E's advantage reads
        };
    }

    /** {@code N} or {@code MIN-MAX}, as {@code --first-divergence} takes it: {min, max}. */
    static int[] parseFirstDivergence(String firstDivergence) {
        String[] parts = firstDivergence.split("-", 2);
        try {
            int min = Integer.parseInt(parts[0].trim());
            int max = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : min;
            return new int[] {min, max};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--first-divergence must be N or MIN-MAX, got '" + firstDivergence + "'");
        }
    }
}
