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
    void pretrainSavesAModelThatEvalReads(@TempDir Path dir) {
        Path model = dir.resolve("model");
        Run pretrain = run("pretrain", "--model", "tiny", "--minutes", "0.05", "--eval-n", "4", "--out", model.toString(), "--device", "cpu");
        assertEquals(0, pretrain.exit(), pretrain.err());
        assertTrue(pretrain.out().contains("final held-out accuracy"), pretrain.out());
        assertTrue(Files.isRegularFile(model.resolve("weights.bin")));
        Run eval = run("eval", "--model", model.toString(), "--n", "3", "--seed", "5", "--sampling", "1.0", "--json", "--device", "cpu");
        assertEquals(0, eval.exit(), eval.err());
        assertTrue(eval.out().startsWith("{\"task\":\"arithmetic\""), eval.out());
        assertTrue(eval.out().contains("\"n\":3"), eval.out());
        Run passAtK = run("eval", "--model", model.toString(), "--n", "3", "--samples", "4", "--sampling", "1.0", "--device", "cpu");
        assertEquals(0, passAtK.exit(), passAtK.err());
        assertTrue(passAtK.out().contains("/12 correct"), passAtK.out());
        assertTrue(passAtK.out().contains("pass@4: "), passAtK.out());
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
        assertTrue(noModel.err().contains("is not a model directory"), noModel.err());
        Run sampling = run("eval", "--sampling", "hot", "--model", dir.toString());
        assertEquals(2, sampling.exit());
        assertTrue(sampling.err().startsWith("error: --sampling must be greedy or a temperature > 0, got 'hot'"), sampling.err());
    }

    @Test
    void benchDecodeReportsEveryBatchSizeAsJson() {
        Run bench = run("bench", "decode", "--batches", "1,4", "--tokens", "8", "--recompute-batch", "4", "--rounds", "1", "--json", "--device", "cpu");
        assertEquals(0, bench.exit(), bench.err());
        assertTrue(bench.out().contains("\"batch\":1") && bench.out().contains("\"batch\":4"), bench.out());
        assertTrue(bench.out().contains("\"cachedOverRecompute\""), bench.out());
    }
}
