package io.treepo.cli;

import io.treepo.policy.ModelFiles;
import io.treepo.policy.SafeTensors.Dtype;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A trained policy as a Hugging Face model directory, for transformers, vLLM and the like. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Writes a model (a run's model/, a pretrained policy or a Qwen checkpoint) as a Hugging Face directory: "
                + "config.json, model.safetensors, generation_config.json and the tokenizer's files.")
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "The model to export, e.g. runs/<timestamp>/model.")
    Path model;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Where to write the Hugging Face directory.")
    Path out;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "f32",
            description = "Stored element type: f32 (loads back bit for bit), bf16 or f16 (half the size, rounded to nearest even). "
                    + "Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Override
    public Integer call() {
        Dtype stored = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "f32", "float32" -> Dtype.F32;
            case "bf16", "bfloat16" -> Dtype.BF16;
            case "f16", "float16" -> Dtype.F16;
            default -> throw new ParameterException(spec.commandLine(), "--dtype must be f32, bf16 or f16, got '" + dtype + "'");
        };
        if (out.toAbsolutePath().normalize().equals(model.toAbsolutePath().normalize())) {
            throw new ParameterException(spec.commandLine(), "--out must differ from --model");
        }
        ModelFiles.Model loaded = CliModels.load(spec, model);
        ModelFiles.save(out, loaded, stored);
        spec.commandLine().getOut().printf("exported %s (%s) to %s as %s%n", model, WarmStart.describe(loaded.config()), out, stored);
        return 0;
    }
}
