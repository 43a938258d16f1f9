package io.treepo.cli;

import io.treepo.policy.EncodedWeights;
import io.treepo.policy.ModelFiles;
import io.treepo.schemas.weights.PolicyVersions;
import io.treepo.schemas.weights.WeightsAssembler.Assembled;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** The policy a run starts from: a saved model, pretrained from scratch first when there is none. */
final class WarmStart {
    private WarmStart() {}

    static EncodedWeights load(CommandSpec spec, Path model, String task, double pretrainMinutes, PrintWriter out) {
        if (!ModelFiles.exists(model)) {
            out.printf("No model at %s: pretraining one from scratch on %s for %.1f minutes (cached for later runs).%n",
                    model, task, pretrainMinutes);
            out.flush();
            CommandLine pretrain = new CommandLine(new PretrainCommand());
            pretrain.setOut(out);
            pretrain.setErr(spec.commandLine().getErr());
            int code = pretrain.execute("--task", task, "--minutes", Double.toString(pretrainMinutes), "--out", model.toString());
            if (code != 0) {
                throw new IllegalStateException("pretraining failed (exit code " + code + ")");
            }
        }
        EncodedWeights weights = ModelFiles.load(model);
        out.printf("Warm start: %s (%s, sha256 %s)%n", model, weights.config().toJson(), weights.sha256().substring(0, 12));
        return weights;
    }

    /** The weights as policy version 0, the version rollout and trainer both start from. */
    static byte[] asVersionZero(EncodedWeights weights) {
        return PolicyVersions.toBytes(new Assembled(0, 0, weights.config().toJson(), weights.sha256(), weights.payload(), 0));
    }
}
