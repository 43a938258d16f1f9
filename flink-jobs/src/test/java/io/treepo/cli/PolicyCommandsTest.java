package io.treepo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PolicyCommandsTest {

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        CommandLine cli = TreepoCommand.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void pretrainSavesAModelThatEvalReads(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("model");
        Run pretrain = run("pretrain", "--model", "tiny", "--minutes", "0.05", "--eval-n", "4", "--out", model.toString(), "--device", "cpu");
        assertEquals(0, pretrain.exit(), pretrain.err());
        assertTrue(pretrain.out().contains("final held-out accuracy"), pretrain.out());
        assertTrue(Files.readString(model.resolve("config.json")).contains("\"model_type\": \"qwen2\""));
        assertTrue(Files.isRegularFile(model.resolve("model.safetensors")));
        Run eval = run("eval", "--model", model.toString(), "--task", "arithmetic", "--n", "3", "--seed", "5", "--sampling", "1.0", "--json",
                "--device", "cpu");
        assertEquals(0, eval.exit(), eval.err());
        assertTrue(eval.out().startsWith("{\"task\":\"arithmetic\""), eval.out());
        assertTrue(eval.out().contains("\"n\":3"), eval.out());
        Run passAtK = run("eval", "--model", model.toString(), "--n", "3", "--samples", "4", "--sampling", "1.0", "--device", "cpu");
        assertEquals(0, passAtK.exit(), passAtK.err());
        assertTrue(passAtK.out().contains("/12 correct"), passAtK.out());
        assertTrue(passAtK.out().contains("pass@4: "), passAtK.out());
    }

    @Test
    void aQwen3PolicyExportsUnderHuggingFacesNamesAndItsExportEvaluates(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("model");
        assertEquals(0, run("pretrain", "--model", "qwen3-tiny", "--max-steps", "3", "--eval-n", "0", "--out", model.toString(), "--device", "cpu").exit());
        Path exported = dir.resolve("hf");
        Run export = run("export", "--model", model.toString(), "--out", exported.toString(), "--dtype", "bf16");
        assertEquals(0, export.exit(), export.err());
        String config = Files.readString(exported.resolve("config.json"));
        assertTrue(config.contains("\"architectures\": [\n    \"Qwen3ForCausalLM\"") && config.contains("\"torch_dtype\": \"bfloat16\""), config);
        String header = new String(Files.readAllBytes(exported.resolve("model.safetensors")), 8, 400, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(header.contains("\"lm_head.weight\":{\"dtype\":\"BF16\""), header);
        assertTrue(Files.readString(exported.resolve("generation_config.json")).contains("\"eos_token_id\": [\n    257"));
        Run eval = run("eval", "--model", exported.toString(), "--n", "2", "--max-tokens", "8", "--json", "--device", "cpu");
        assertEquals(0, eval.exit(), eval.err());
        Run same = run("export", "--model", model.toString(), "--out", model.toString());
        assertEquals(2, same.exit());
        assertTrue(same.err().startsWith("error: --out must differ from --model"), same.err());
    }

    @Test
    void aDirectoryThatIsNotASupportedModelIsRefusedInOneLineNamingTheField(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\", \"hidden_size\": 8}");
        Run llama = run("eval", "--model", dir.toString());
        assertEquals(2, llama.exit());
        assertEquals("error: --model: " + dir.resolve("config.json") + ": model_type 'llama' is not supported "
                + "(supported: qwen2 for Qwen1.5, Qwen2 and Qwen2.5; qwen3)", llama.err().lines().findFirst().orElseThrow());
        Files.writeString(dir.resolve("weights.bin"), "old");
        Files.writeString(dir.resolve("config.json"), "{\"layers\":2}");
        Run legacy = run("eval", "--model", dir.toString());
        assertEquals(2, legacy.exit());
        assertTrue(legacy.err().contains("treepo's old format (weights.bin)"), legacy.err());
    }

    @Test
    void benchLearningUpdatesTheWarmStartAndScoresItOnHeldOutProblems(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("model");
        assertEquals(0, run("pretrain", "--model", "tiny", "--minutes", "0.05", "--eval-n", "1", "--out", model.toString(), "--device", "cpu").exit());
        Run bench = run("bench", "learning", "--model", model.toString(), "--updates", "2", "--trees-per-step", "4", "--width", "4",
                "--max-depth", "2", "--eval-prompts", "4", "--eval-every", "1", "--check-work", "--device", "cpu",
                "--report-dir", dir.resolve("report").toString());
        assertEquals(0, bench.exit(), bench.err());
        assertTrue(bench.out().contains("update   2  trees   4 ("), bench.out());
        assertEquals(3, bench.out().lines().filter(l -> l.matches("held-out accuracy .* after \\d+ updates, .*")).count(), bench.out());
        assertTrue(bench.out().contains("at the start,") && bench.out().contains("after 2 updates (best"), bench.out());
        List<String> csv = Files.readAllLines(dir.resolve("report/learning.csv"));
        assertEquals(4, csv.size(), csv.toString()); // header, the start, two updates
        assertTrue(csv.get(2).startsWith("1,4,"), csv.toString());
        assertTrue(Files.size(dir.resolve("report/heldout_vs_update.png")) > 1000);
        assertTrue(Files.size(dir.resolve("report/reward_vs_update.png")) > 1000);
    }

    @Test
    void badArgumentsGiveOneLineAndExitTwo(@TempDir Path dir) {
        Run unknownTask = run("eval", "--task", "nope", "--model", dir.toString());
        assertEquals(2, unknownTask.exit());
        assertTrue(unknownTask.err().startsWith("error: --task: unknown task 'nope'"), unknownTask.err());
        Run noModel = run("eval", "--model", dir.toString());
        assertEquals(2, noModel.exit());
        assertTrue(noModel.err().contains("is not a model directory: it has no config.json"), noModel.err());
        Run sampling = run("eval", "--sampling", "hot", "--model", dir.toString());
        assertEquals(2, sampling.exit());
        assertTrue(sampling.err().startsWith("error: --sampling must be greedy or a temperature > 0, got 'hot'"), sampling.err());
    }

    @Test
    void benchDecodeReportsEveryBatchSizeAsJson() {
        Run bench = run("bench", "decode", "--batches", "1,4", "--tokens", "8", "--recompute-batch", "4", "--rounds", "1", "--json", "--device", "cpu");
        assertEquals(0, bench.exit(), bench.err());
        assertTrue(bench.out().contains("\"batch\":1") && bench.out().contains("\"batch\":4"), bench.out());
        assertTrue(bench.out().contains("\"cachedOverRecompute\"") && bench.out().contains("\"shareOfMatmulPeak\""), bench.out());
    }

    @Test
    void benchDecodeTakesAConfigJsonForRandomWeightsOfItsShape(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("config.json");
        Files.writeString(config, io.treepo.policy.ModelConfig.qwen3Tiny().toJson());
        Run bench = run("bench", "decode", "--config", config.toString(), "--batches", "1,2", "--tokens", "4", "--recompute-batch", "0",
                "--rounds", "1", "--device", "cpu");
        assertEquals(0, bench.exit(), bench.err());
        assertTrue(bench.out().startsWith("model: random weights of " + config + " (qwen3, 2 layers"), bench.out());
        assertTrue(bench.out().contains("of peak") && !bench.out().contains("recompute-from-scratch"), bench.out());
    }
}
