package io.treepo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
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
}
