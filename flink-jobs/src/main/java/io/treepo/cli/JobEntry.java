package io.treepo.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * The job jar's entry class: runs {@code treepo job} with the given arguments, for Flink's client, the
 * Web UI and the REST API ({@code /jars/<id>/run}). Unlike {@link TreepoCommand#main} it never calls
 * {@code System.exit}: submitted through the Web UI or REST, this main method runs inside the
 * JobManager's JVM, and an exit would end the JobManager. A failure is thrown instead, so the
 * submission reports it.
 */
public final class JobEntry {
    private JobEntry() {}

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true");
        StringWriter err = new StringWriter();
        CommandLine cli = TreepoCommand.withErrorHandling(new CommandLine(new JobCommand()));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        if (code != 0) {
            throw new IllegalStateException("treepo job failed (exit code " + code + "): " + err.toString().strip());
        }
    }
}
