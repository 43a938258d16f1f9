package io.treepo.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Flink's memory tool ({@code BashJavaUtils}), run as Flink's start scripts run it: it turns a
 * configuration's memory settings into a process's JVM options (heap, direct memory, metaspace) and
 * the derived memory settings the process is then started with.
 */
final class FlinkMemory {
    static final String MEMORY_TOOL = "org.apache.flink.runtime.util.bash.BashJavaUtils";
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    private FlinkMemory() {}

    /** The JobManager's JVM options; adds the derived settings to {@code args}. */
    static List<String> jobManager(String classPath, Path confDir, List<String> args) throws IOException {
        return run("GET_JM_RESOURCE_PARAMS", classPath, confDir, args);
    }

    /** A TaskManager's JVM options; adds the derived settings to {@code args}. */
    static List<String> taskManager(String classPath, Path confDir, List<String> args) throws IOException {
        return run("GET_TM_RESOURCE_PARAMS", classPath, confDir, args);
    }

    private static List<String> run(String command, String classPath, Path confDir, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(JavaProcess.javaBinary(), "-Xmx128m"));
        cmd.addAll(StandaloneCluster.FLINK_JVM_ARGS);
        cmd.addAll(List.of("-cp", classPath, MEMORY_TOOL, command, "--configDir", confDir.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        // first result line: JVM options; second (when there is one): the derived settings as -D pairs
        List<String> results = out.lines().filter(l -> l.startsWith(RESULT_PREFIX)).map(l -> l.substring(RESULT_PREFIX.length()).trim()).toList();
        if (p.exitValue() != 0 || results.isEmpty()) {
            throw new IOException("Flink's memory tool failed on " + confDir + ": " + out.lines().reduce((a, b) -> b).orElse(""));
        }
        if (results.size() > 1) {
            args.addAll(split(results.get(1)));
        }
        return split(results.get(0));
    }

    private static List<String> split(String options) {
        return Arrays.stream(options.trim().split("\\s+")).filter(s -> !s.isEmpty()).collect(Collectors.toList());
    }
}
