package io.treepo.cli;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The job jar's entry class runs inside a JobManager: a bad argument must throw with the reason, never exit the JVM. */
class JobEntryTest {

    @Test
    void aBadArgumentThrowsWithTheCommandsMessageInsteadOfExiting() {
        assertThatThrownBy(() -> JobEntry.main(new String[] {"--bootstrap-servers", "localhost:1", "--model", "/no/such/model"}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("treepo job failed (exit code 2): error: --model: no model at /no/such/model");
    }
}
