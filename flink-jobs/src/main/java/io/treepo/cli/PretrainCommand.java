package io.treepo.cli;

import io.treepo.policy.ByteTokenizer;
import io.treepo.policy.DecoderConfig;
import io.treepo.policy.DjlSegmentDecoder;
import io.treepo.policy.ModelConfig;
import io.treepo.policy.ModelFiles;
import io.treepo.policy.PolicyTrainer;
import io.treepo.policy.Pretrainer;
import io.treepo.policy.SamplingConfig;
import io.treepo.policy.Tokenizer;
import io.treepo.policy.TrainerConfig;
import io.treepo.tasks.Task;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code treepo pretrain}: supervised warm-up of a small policy from scratch on a task's worked solutions. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Train a small policy from scratch (or continue one, --from) on a task's worked solutions (next-token loss on the solution), "
                + "printing loss, tokens/s and held-out accuracy, then save it (config + weights + SHA-256).")
public final class PretrainCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--task", paramLabel = "NAME", defaultValue = "arithmetic",
            description = "Task whose worked solutions to train on (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--minutes", paramLabel = "M", defaultValue = "8",
            description = "Wall-clock training time in minutes; the default policy needs ~1,500 steps (~5 min on two idle cores) "
                    + "before arithmetic accuracy climbs past 20%% (default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--max-steps", paramLabel = "N", defaultValue = "0",
            description = "Stop after N steps even if time remains; 0 for no limit (default: ${DEFAULT-VALUE}).")
    long maxSteps;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = ".treepo/models/default",
            description = "Directory to save the model to (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed of the initial weights and the training problems (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "32",
            description = "Problems per training step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "3e-3",
            description = "Peak learning rate after warm-up; it then follows a cosine down to a tenth by the end (default: ${DEFAULT-VALUE}).")
    float learningRate;

    @Option(names = "--eval-every", paramLabel = "SECONDS", defaultValue = "60",
            description = "Measure held-out accuracy about this often (default: ${DEFAULT-VALUE}).")
    double evalEvery;

    @Option(names = "--eval-n", paramLabel = "N", defaultValue = "100",
            description = "Held-out problems per accuracy measurement (default: ${DEFAULT-VALUE}).")
    int evalN;

    @Option(names = "--model", paramLabel = "SIZE", defaultValue = "small",
            description = "Model shape, all of the Qwen2 architecture with the byte tokenizer: small (the default policy), medium "
                    + "(three times its parameters), tiny (for smoke tests), qwen3-tiny (Qwen3's q/k norm and untied head, for smoke tests) "
                    + "or steel-tiny (Steel-LLM's Soft-MoE feed-forward, for smoke tests) (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--from", paramLabel = "DIR",
            description = "Continue from a saved model (its shape, weights and tokenizer) instead of fresh weights of --model: "
                    + "a curriculum, or more supervised steps for a warm start.")
    Path from;

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "auto",
            description = "auto (GPU when PyTorch sees one), cpu or gpu (default: ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() {
        if (!(minutes > 0)) throw new ParameterException(spec.commandLine(), "--minutes must be > 0, got " + minutes);
        if (maxSteps < 0) throw new ParameterException(spec.commandLine(), "--max-steps must be >= 0, got " + maxSteps);
        if (batchSize < 1) throw new ParameterException(spec.commandLine(), "--batch-size must be >= 1, got " + batchSize);
        if (evalN < 0) throw new ParameterException(spec.commandLine(), "--eval-n must be >= 0, got " + evalN);
        if (from != null && spec.commandLine().getParseResult().hasMatchedOption("--model")) {
            throw new ParameterException(spec.commandLine(), "--from takes the shape of the model it continues: leave out --model");
        }
        ModelFiles.Model start = from == null ? null : CliModels.load(spec, from, "--from");
        ModelConfig config = start != null ? start.config() : switch (model) {
            case "small" -> ModelConfig.defaultSmall();
            case "medium" -> ModelConfig.medium();
            case "tiny" -> ModelConfig.tiny();
            case "qwen3-tiny" -> ModelConfig.qwen3Tiny();
            case "steel-tiny" -> ModelConfig.steelTiny();
            default -> throw new ParameterException(spec.commandLine(),
                    "--model must be small, medium, tiny, qwen3-tiny or steel-tiny, got '" + model + "'");
        };
        Task source = CliTasks.byName(spec, task);
        if (source.generate(seed, Task.Split.TRAIN).solution() == null) {
            throw new ParameterException(spec.commandLine(), "--task " + task + " has no worked solutions to pretrain on");
        }
        PrintWriter log = spec.commandLine().getOut();
        Tokenizer tokenizer = start != null ? start.tokenizer() : new ByteTokenizer();
        TrainerConfig trainerConfig = TrainerConfig.pretraining().withLearningRate(learningRate);
        String budget = maxSteps > 0 ? String.format("%,d steps (at most %.1f min)", maxSteps, minutes) : String.format("%.1f min", minutes);
        log.printf("pretraining a policy (%s)%s on %s for %s, batch %d%n", WarmStart.describe(config),
                start != null ? " from " + from : "", task, budget, batchSize);
        AtomicLong next = new AtomicLong();
        try (tokenizer;
                PolicyTrainer trainer = start != null
                        ? PolicyTrainer.create(start.weights(), trainerConfig, tokenizer, device)
                        : PolicyTrainer.create(config, trainerConfig, tokenizer, device, seed);
                DjlSegmentDecoder decoder = DjlSegmentDecoder.create(DecoderConfig.defaults(), tokenizer, trainer.weights(), 0)) {
            double[] lastEval = {0};
            Pretrainer pretrainer = new Pretrainer(trainer, tokenizer, batchSize);
            Pretrainer.Progress last = pretrainer.runFor(
                    minutes * 60,
                    maxSteps,
                    () -> {
                        Task.Problem p = source.generate(seed * 1_000_003L + next.getAndIncrement(), Task.Split.TRAIN);
                        return new Pretrainer.Example(p.prompt(), p.solution());
                    },
                    p -> {
                        if (p.step() % 10 == 0 || p.skipped()) {
                            log.printf("step %5d  loss %.4f  %,6.0f tokens/s  %5.0fs%s%n",
                                    p.step(), p.loss(), p.tokensPerSecond(), p.seconds(), p.skipped() ? "  (skipped: non-finite)" : "");
                            log.flush();
                        }
                        if (evalN > 0 && p.seconds() - lastEval[0] >= evalEvery && p.seconds() < minutes * 60 && (maxSteps == 0 || p.step() < maxSteps)) {
                            lastEval[0] = p.seconds();
                            printAccuracy(log, "held-out", evaluate(decoder, trainer, tokenizer, source, p.step()));
                        }
                    });
            ModelFiles.save(out, new ModelFiles.Model(trainer.weights(), start != null ? start.tokenizerFiles() : null));
            log.printf("trained %d steps in %.1f min, final loss %.4f%n", last.step(), last.seconds() / 60, last.loss());
            if (evalN > 0) {
                printAccuracy(log, "final held-out", evaluate(decoder, trainer, tokenizer, source, last.step()));
            }
            log.printf("saved model to %s (sha256 %s)%n", out, trainer.weights().sha256());
        }
        return 0;
    }

    private TaskEvaluation.Result evaluate(DjlSegmentDecoder decoder, PolicyTrainer trainer, Tokenizer tokenizer, Task source, long step) {
        decoder.installWeights(trainer.weights(), step);
        return TaskEvaluation.run(decoder, tokenizer, source, evalN, seed, SamplingConfig.greedy(), 200);
    }

    private static void printAccuracy(PrintWriter log, String label, TaskEvaluation.Result r) {
        log.printf("  %s accuracy %.1f%% (%d/%d, answered %d, greedy, %.1fs)%n",
                label, 100 * r.accuracy(), r.correct(), r.n(), r.answered(), r.seconds());
        log.flush();
    }
}
