package io.treepo.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.treepo.cli.TreepoCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A small version of {@code treepo bench backlog}: a backlog 10 times what the rollout may hold
 * (4 trees growing, 16 parked) drains completely through the job. The 10,000-prompt run with the
 * default model is a documented benchmark (README, Reliability), not a test.
 */
class BacklogITCase {

    @Test
    void aBacklogManyTimesTheRolloutsCapDrainsCompletely() throws Exception {
        CommandLine cli = TreepoCommand.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("bench", "backlog", "--prompts", "200", "--model", "random:tiny", "--task", "echo",
                "--width", "4", "--segment-tokens", "4", "--max-depth", "3", "--max-response-tokens", "8",
                "--trees-per-step", "10", "--max-trees-in-flight", "4", "--checkpoint-interval", "1", "--device", "cpu", "--json");
        assertEquals(0, code, err.toString());
        JsonNode result = new ObjectMapper().readTree(out.toString());
        assertThat(result.get("drained").asBoolean()).isTrue();
        assertEquals(200, result.get("trained").asInt());
        assertThat(result.get("peak_heap_used_mb").asLong()).isPositive();
    }
}
