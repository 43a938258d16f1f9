package io.treepo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.treepo.policy.ByteTokenizer;
import io.treepo.policy.ModelConfig;
import io.treepo.policy.ModelFiles;
import io.treepo.policy.PolicyTrainer;
import io.treepo.policy.TrainerConfig;
import io.treepo.rollout.sampler.SamplerKind;
import io.treepo.rollout.sampler.TreeConfig;
import io.treepo.trainer.Estimator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandLineTest {

    /** What a run printed and returned. */
    record Run(int exitCode, String out, String err) {}

    static Run run(String... args) {
        CommandLine cli = TreepoCommand.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void rootHelpListsEveryCommand() {
        Run run = run("--help");
        assertEquals(0, run.exitCode());
        assertThat(run.out()).contains("broker", "produce");
    }

    static List<String> commands() {
        return TreepoCommand.newCommandLine().getSubcommands().keySet().stream()
                .filter(name -> !name.equals("help"))
                .toList();
    }

    @ParameterizedTest
    @MethodSource("commands")
    void everyCommandHasHelpDescribingEveryOption(String command) {
        Run run = run(command, "--help");
        assertEquals(0, run.exitCode(), run.err());
        CommandLine sub = TreepoCommand.newCommandLine().getSubcommands().get(command);
        for (CommandLine.Model.OptionSpec option : sub.getCommandSpec().options()) {
            assertThat(option.description()).as(command + " " + option.longestName() + " has a description").isNotEmpty();
            // picocli shows a negatable --x as --[no-]x
            String shown = option.negatable() ? option.longestName().replaceFirst("^--", "--[no-]") : option.longestName();
            assertThat(run.out()).contains(shown);
        }
    }

    @Test
    void fr3eSamplerSharesTheWidthOverItsStatesAndTrainsWithFr3e() {
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo).parseArgs("--sampler", "fr3e", "--width", "12", "--fr3e-states", "2");
        TreeConfig tree = demo.loop.treeConfig();
        assertEquals(SamplerKind.FR3E, tree.kind());
        assertEquals(4, tree.fr3eRollouts());
        assertEquals(Estimator.FR3E, demo.loop.chosenEstimator());
    }

    @Test
    void unknownOptionGivesOneClearLineAndExitCode2() {
        Run run = run("produce", "--bootstrap-servers", "localhost:1", "--task", "arithmetic", "--bogus");
        assertEquals(2, run.exitCode());
        assertThat(run.err().lines().findFirst().orElseThrow()).isEqualTo("error: Unknown option: '--bogus'");
        assertThat(run.err()).contains("Try 'treepo produce --help'");
    }

    @Test
    void missingRequiredOptionIsNamed() {
        Run run = run("produce", "--task", "arithmetic");
        assertEquals(2, run.exitCode());
        assertThat(run.err()).startsWith("error: Missing required option: '--bootstrap-servers=HOST:PORT'");
    }

    @Test
    void unknownTaskIsRefusedWithTheKnownNames() {
        Run run = run("produce", "--bootstrap-servers", "localhost:1", "--task", "nope");
        assertEquals(2, run.exitCode());
        assertThat(run.err()).startsWith("error: --task:").contains("arithmetic");
    }

    @Test
    void badNumberIsRefused() {
        Run run = run("produce", "--bootstrap-servers", "localhost:1", "--task", "arithmetic", "--count", "many");
        assertEquals(2, run.exitCode());
        assertThat(run.err()).startsWith("error: Invalid value for option '--count'");
    }

    @Test
    void missingJsonlFileIsOneLine() {
        Run run = run("produce", "--bootstrap-servers", "localhost:1", "--jsonl", "/no/such/file.jsonl");
        assertEquals(2, run.exitCode());
        assertThat(run.err()).startsWith("error: --jsonl:").contains("/no/such/file.jsonl");
    }

    @Test
    void unreachableBrokerIsOneLineAndExitCode1() {
        Run run = run("produce", "--bootstrap-servers", "localhost:1", "--task", "arithmetic", "--count", "3");
        assertEquals(1, run.exitCode());
        assertThat(run.err()).startsWith("error: cannot reach Kafka at localhost:1");
    }

    @Test
    void aJobWhoseVersionsGoByReferenceNeedsAWeightsDirectory(@TempDir Path dir) {
        Path model = dir.resolve("model");
        try (PolicyTrainer trainer = PolicyTrainer.create(ModelConfig.tiny(), TrainerConfig.defaults(), new ByteTokenizer(), "cpu", 1)) {
            ModelFiles.save(model, new ModelFiles.Model(trainer.weights(), null));
        }
        Run run = run("job", "--bootstrap-servers", "localhost:1", "--model", model.toString(), "--weights-by-reference-mb", "0");
        assertEquals(2, run.exitCode(), run.err());
        assertThat(run.err()).startsWith("error: --weights-dir: the model's versions are 0 MB, at least --weights-by-reference-mb 0: "
                + "they go by reference, so name a file system every TaskManager reaches");
    }

    @Test
    void aDemoWhoseWebUiPortIsTakenSaysSoAtOnce() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("localhost"))) {
            Run run = run("demo", "--web-port", Integer.toString(taken.getLocalPort()), "--minutes", "1");
            assertEquals(2, run.exitCode(), run.err());
            assertThat(run.err()).startsWith("error: --web-port " + taken.getLocalPort() + " on localhost is in use (another demo, or a Flink cluster?)");
        }
    }

    /** Bad options and missing files: one clear line naming the option, then the usage hint, and exit code 2. */
    static List<org.junit.jupiter.params.provider.Arguments> badInvocations() {
        return List.of(
                org.junit.jupiter.params.provider.Arguments.of(List.of("job", "--bootstrap-servers", "localhost:1", "--model", "/no/such/model"),
                        "error: --model: no model at /no/such/model"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("produce", "--bootstrap-servers", "localhost:1", "--task", "echo",
                        "--kafka-properties", "/no/such/client.properties"), "error: --kafka-properties: cannot read /no/such/client.properties"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("produce", "--bootstrap-servers", "localhost:1", "--task", "echo",
                        "--partitions", "3"), "error: --partitions needs --create-topic"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("produce", "--bootstrap-servers", "localhost:1", "--task", "echo",
                        "--create-topic", "--partitions", "0"), "error: --partitions must be >= 1, got 0"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("produce", "--bootstrap-servers", " ", "--task", "echo"),
                        "error: --bootstrap-servers must name at least one host:port"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("demo", "--web-port", "eighty"), "error: Invalid value for option '--web-port'"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("cluster", "--taskmanagers", "0"), "error: --taskmanagers must be >= 1, got 0"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("cluster", "--taskmanager-memory", "100"),
                        "error: --taskmanager-memory must be >= 768 MB, got 100"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("demo", "--minutes", "-1"), "error: --minutes must be >= 0, got -1.0"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("demo", "--eval-prompts", "-1"), "error: --eval-prompts must be >= 0, got -1"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("compare", "--minutes", "0"), "error: --minutes must be > 0 for a comparison"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("compare", "--seeds", "0"), "error: --seeds must be >= 1, got 0"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("compare", "--width", "6"),
                        "error: --width 6 must be a multiple of --fr3e-states + 1 = 4 of at least 2 rollouts per state with --sampler fr3e"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("pretrain", "--from", "/no/such/model"),
                        "error: --from: no model at /no/such/model"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("pretrain", "--from", "/no/such/model", "--model", "tiny"),
                        "error: --from takes the shape of the model it continues: leave out --model"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("compare", "--samplers", "tree,beam"),
                        "error: --samplers must be one of tree, independent, fr3e, got 'beam'"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("compare", "--samplers", "tree,tree"), "error: --samplers names tree twice"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("demo", "--sampler", "beam"), "error: --sampler must be one of tree, independent, fr3e, got 'beam'"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("bench", "sampling", "--divergence", "wild"), "error: Invalid value for option '--divergence'"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("eval", "--model", "/no/such/model"), "error: --model"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("eval", "--samples", "0"), "error: --samples must be >= 1, got 0"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("eval", "--samples", "8"), "error: --samples 8 needs a sampling temperature"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("bench", "sampling", "--branch", "0"), "error: branch must be >= 1, got 0"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("pretrain", "--model", "huge"),
                        "error: --model must be small, medium, tiny, qwen3-tiny or steel-tiny, got 'huge'"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("bench", "sampling", "--in-flight", "-1"), "error: --in-flight must be >= 0, got -1"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("bench", "sampling", "--first-divergence", "two"),
                        "error: --first-divergence must be N or MIN-MAX, got 'two'"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("bench", "backlog", "--prompts", "0"), "error: --prompts must be >= 1, got 0"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("bench", "learning", "--updates", "0"), "error: --updates must be >= 1, got 0"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("bench", "learning", "--signal-trees", "-1"), "error: --signal-trees must be >= 0, got -1"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("bench", "learning", "--eval-every", "0"), "error: --eval-every must be >= 1, got 0"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("bench", "learning", "--ppo-epochs", "0"), "error: --ppo-epochs must be >= 1, got 0"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("demo", "--lr-decay-steps", "-1"), "error: --lr-decay-steps must be >= 0, got -1"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("demo", "--width", "0"), "error: width must be >= 1, got 0"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("demo", "--sampler", "fr3e", "--fr3e-states", "0"),
                        "error: --fr3e-states must be >= 1, got 0"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("demo", "--sampler", "fr3e", "--width", "6"),
                        "error: --width 6 must be a multiple of --fr3e-states + 1 = 4 of at least 2 rollouts per state with --sampler fr3e"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("demo", "--sampler", "fr3e", "--width", "4"),
                        "error: --width 4 must be a multiple of --fr3e-states + 1 = 4 of at least 2 rollouts per state with --sampler fr3e"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("demo", "--sampler", "fr3e", "--estimator", "TREE_AVERAGE"),
                        "error: --estimator TREE_AVERAGE does not fit --sampler fr3e, whose leaves are trained by FR3E"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("demo", "--estimator", "FR3E"),
                        "error: --estimator FR3E needs --sampler fr3e: only its leaves carry FR3E states"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("bench", "learning", "--report-dir", "/proc/no-such-place"),
                        "error: --report-dir: cannot create /proc/no-such-place"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("bench", "backlog", "--model", "random:huge"),
                        "error: --model: random takes the default shape, or random:tiny or random:small; got 'random:huge'"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("bench", "sampling", "--pretrain-steps", "0"),
                        "error: --pretrain-steps must be >= 1, got 0"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("export", "--model", "/no/such/model", "--out", "/tmp/x", "--dtype", "fp8"),
                        "error: --dtype must be f32, bf16 or f16, got 'fp8'"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("export", "--model", "/no/such/model", "--out", "/tmp/x"),
                        "error: --model: no model at /no/such/model"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("bench", "decode", "--model", "/a", "--config", "/b"),
                        "error: --model and --config exclude each other"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("bench", "decode", "--config", "/no/such/config.json"),
                        "error: --config /no/such/config.json: "),
                org.junit.jupiter.params.provider.Arguments.of(List.of("bench", "decode", "--recompute-batch", "-1"),
                        "error: --recompute-batch must be >= 0, got -1"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("demo", "--weights-by-reference-mb", "-1"),
                        "error: --weights-by-reference-mb must be >= 0, got -1"),
                org.junit.jupiter.params.provider.Arguments.of(List.of("job", "--bootstrap-servers", "localhost:1", "--model", "/no/such/model", "--weights-dir", " "),
                        "error: --weights-dir must not be blank"));
    }

    @ParameterizedTest
    @MethodSource("badInvocations")
    void aBadOptionOrAMissingFileGivesOneClearLineAndExitCode2(List<String> args, String firstLine) {
        Run run = run(args.toArray(String[]::new));
        assertEquals(2, run.exitCode(), run.err());
        List<String> lines = run.err().lines().toList();
        assertThat(lines.get(0)).startsWith(firstLine);
        assertThat(lines).filteredOn(l -> l.startsWith("error:")).hasSize(1);
        assertThat(run.out()).as("nothing started").isEmpty();
    }
}
