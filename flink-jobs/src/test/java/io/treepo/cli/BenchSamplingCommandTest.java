package io.treepo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.treepo.policy.ByteTokenizer;
import io.treepo.policy.ModelConfig;
import io.treepo.policy.ModelFiles;
import io.treepo.policy.PolicyTrainer;
import io.treepo.policy.TrainerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchSamplingCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(String... args) {
        CommandLine cli = TreepoCommand.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void benchListsTheSamplingSubcommand() {
        assertEquals(0, execute("bench", "--help"));
        assertTrue(out.toString().contains("sampling"), out.toString());
    }

    @Test
    void badWidthIsOneLineNamingTheOptionAndExitCode2() {
        assertEquals(2, execute("bench", "sampling", "--width", "0", "--prompts", "1"));
        assertTrue(err.toString().startsWith("error: width must be >= 1, got 0"), err.toString());
    }

    @Test
    void badRepeatsIsRefused() {
        assertEquals(2, execute("bench", "sampling", "--repeats", "0"));
        assertTrue(err.toString().startsWith("error: --repeats must be >= 1, got 0"), err.toString());
    }

    /** The shortest bench: one prompt, two leaves, one segment, one measured run of each sampler. */
    private static final String[] QUICK = {"--prompts", "1", "--width", "2", "--branch", "2", "--segment-tokens", "4",
        "--max-depth", "1", "--repeats", "1", "--task", "echo", "--json"};

    private int executeQuick(String model) {
        String[] args = new String[QUICK.length + 4];
        args[0] = "bench";
        args[1] = "sampling";
        args[2] = "--model";
        args[3] = model;
        System.arraycopy(QUICK, 0, args, 4, QUICK.length);
        return execute(args);
    }

    @Test
    void everyBenchAndCompareStartFromTheDemosWarmStartByDefault() {
        CommandLine root = TreepoCommand.newCommandLine();
        String demoTask = root.getSubcommands().get("demo").getCommandSpec().findOption("--task").defaultValue();
        assertEquals("strategy-arithmetic", demoTask);
        CommandLine bench = root.getSubcommands().get("bench");
        for (CommandLine command : List.of(root.getSubcommands().get("demo"), bench.getSubcommands().get("sampling"),
                bench.getSubcommands().get("backlog"), bench.getSubcommands().get("learning"), root.getSubcommands().get("compare"))) {
            assertEquals(demoTask, command.getCommandSpec().findOption("--task").defaultValue(), command.getCommandName());
            // no fixed --model: the task's cached warm start
            assertEquals(null, command.getCommandSpec().findOption("--model").defaultValue(), command.getCommandName());
        }
        assertEquals(java.nio.file.Path.of(".treepo/models/strategy-arithmetic"), WarmStartOptions.cached("strategy-arithmetic"));
        assertEquals(java.nio.file.Path.of(".treepo/models/default"), WarmStartOptions.cached("arithmetic"));
    }

    @Test
    void samplingBenchSaysWhichModelItUsed(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("tiny");
        try (PolicyTrainer trainer = PolicyTrainer.create(ModelConfig.tiny(), TrainerConfig.defaults(), new ByteTokenizer(), "cpu", 3)) {
            ModelFiles.save(model, new ModelFiles.Model(trainer.weights(), null));
        }
        assertEquals(0, executeQuick(model.toString()), err.toString());
        JsonNode report = new ObjectMapper().readTree(out.toString());
        assertEquals(model.toString(), report.get("model").asText());
        assertThat(err.toString()).as("the model's line stays out of the JSON").startsWith("Warm start: " + model);
    }

    @Test
    void aRandomModelOnlyWhenAskedAndSaidSo() throws Exception {
        assertEquals(0, executeQuick("random:tiny"), err.toString());
        JsonNode report = new ObjectMapper().readTree(out.toString());
        assertThat(report.get("model").asText()).isEqualTo("random:tiny (untrained, rewards meaningless)");
        assertThat(err.toString()).contains("randomly initialised").contains("untrained");
    }
}
