package io.treepo.cli;

import io.treepo.policy.EncodedWeights;
import io.treepo.policy.ModelConfig;
import io.treepo.policy.ModelFiles;
import io.treepo.schemas.PolicyWeights;
import io.treepo.schemas.weights.PolicyVersions;
import io.treepo.schemas.weights.WeightsStore;
import io.treepo.schemas.weights.WeightsAssembler.Assembled;
import io.treepo.tasks.Task;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** The policy a run starts from: a saved model, pretrained from scratch first when there is none. */
final class WarmStart {
    /** Supervised steps of a missing warm start: about 25-40% held-out accuracy on arithmetic, leaving RL room. */
    static final String DEFAULT_PRETRAIN_STEPS = "1500";
    /** Peak learning rate of a warm start that continues another's: a third of pretraining's 3e-3. */
    private static final String CONTINUED_LEARNING_RATE = "1e-3";

    private WarmStart() {}

    static ModelFiles.Model load(CommandSpec spec, Path model, String task, long pretrainSteps, PrintWriter out) {
        ensure(spec, model, task, pretrainSteps, out);
        ModelFiles.Model loaded = ModelFiles.load(model);
        out.printf("Warm start: %s (%s, sha256 %s)%n", model, describe(loaded.config()), loaded.weights().sha256().substring(0, 12));
        return loaded;
    }

    /**
     * Pretrains a missing warm start: from scratch, or, for a task whose warm start continues
     * another's ({@link Task#warmStartBase()}), from that task's cached warm start (pretrained first
     * when missing too) for a fifth of the steps at a third of the peak learning rate, enough to
     * learn the new corpus's ways without unlearning the base's.
     */
    private static void ensure(CommandSpec spec, Path model, String task, long pretrainSteps, PrintWriter out) {
        if (ModelFiles.exists(model)) {
            return;
        }
        Optional<String> base = CliTasks.byName(spec, task).warmStartBase();
        List<String> args = new ArrayList<>(List.of("--task", task, "--minutes", "60", "--out", model.toString()));
        if (base.isPresent()) {
            Path from = WarmStartOptions.cached(base.get());
            ensure(spec, from, base.get(), pretrainSteps, out);
            long steps = Math.max(1, pretrainSteps / 5);
            out.printf("No model at %s: continuing %s's warm start (%s) on %s for %d steps (cached for later runs).%n",
                    model, base.get(), from, task, steps);
            args.addAll(List.of("--from", from.toString(), "--max-steps", Long.toString(steps), "--lr", CONTINUED_LEARNING_RATE));
        } else {
            out.printf("No model at %s: pretraining one from scratch on %s for %d steps (cached for later runs).%n",
                    model, task, pretrainSteps);
            args.addAll(List.of("--max-steps", Long.toString(pretrainSteps)));
        }
        out.flush();
        CommandLine pretrain = new CommandLine(new PretrainCommand());
        pretrain.setOut(out);
        pretrain.setErr(spec.commandLine().getErr());
        // The step count decides; the time limit is only a backstop for a very slow machine.
        int code = pretrain.execute(args.toArray(String[]::new));
        if (code != 0) {
            throw new IllegalStateException("pretraining failed (exit code " + code + ")");
        }
    }

    /** One line on a model's shape, for progress output. */
    static String describe(ModelConfig c) {
        String softMoe = c.softMoe() == null ? ""
                : String.format(java.util.Locale.ROOT, ", Soft-MoE of %d experts", c.softMoe().experts());
        return String.format(java.util.Locale.ROOT, "%s, %d layers, hidden %d, %d/%d heads%s, %,d parameters, vocabulary %,d",
                c.modelType(), c.layers(), c.hidden(), c.heads(), c.kvHeads(), softMoe, c.parameterCount(), c.vocabSize());
    }

    /** The weights as policy version 0, the version rollout and trainer both start from. */
    static byte[] asVersionZero(EncodedWeights weights, WeightsStore store) {
        String config = weights.config().toJson();
        if (store == null || weights.payload().length < store.thresholdBytes()) {
            return PolicyVersions.toBytes(new Assembled(0, 0, config, weights.sha256(), weights.payload(), 0));
        }
        PolicyWeights reference = store.publish(0, 0, config, weights.payload(), Integer.MAX_VALUE, 0).get(0);
        return PolicyVersions.toBytes(new Assembled(0, 0, config, weights.sha256(), null, reference.getUri(), weights.payload().length, 0));
    }
}
