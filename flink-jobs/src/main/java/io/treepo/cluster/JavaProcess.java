package io.treepo.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of the cluster (broker, JobManager, TaskManager) started as its own process, output to a
 * log file. Only processes this class started are ever signalled, by their pid.
 *
 * @param name what the process is ("taskmanager-2"), for messages and its log file
 * @param pid the process id
 * @param mainClass the JVM's main class: how a pid read back later is known to be still this process
 * @param log where its standard output and error go
 */
public record JavaProcess(String name, long pid, String mainClass, Path log) {

    /** How a child outlives, or not, the JVM that starts it. */
    public enum Lifetime {
        /** Dies with the starting JVM ({@code setpriv --pdeathsig KILL}): for tests, so nothing is left behind. */
        WITH_PARENT,
        /** Its own session ({@code setsid}): survives the command that started it and the terminal closing. */
        DETACHED
    }

    /**
     * Starts {@code java <jvmArgs> -cp <classPath> <mainClass> <args>}.
     *
     * @param classPath entries joined with the path separator
     */
    public static JavaProcess start(String name, List<String> jvmArgs, String classPath, String mainClass, List<String> args,
            Path log, Lifetime lifetime) throws IOException {
        List<String> command = new ArrayList<>(wrapper(lifetime));
        command.add(javaBinary());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(args);
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process process = builder.start();
        return new JavaProcess(name, process.pid(), mainClass, log);
    }

    /** Both wrappers exec the JVM in place: the pid stays the JVM's. */
    private static List<String> wrapper(Lifetime lifetime) {
        if (lifetime == Lifetime.WITH_PARENT && new File("/usr/bin/setpriv").canExecute()) {
            return List.of("/usr/bin/setpriv", "--pdeathsig", "KILL");
        }
        if (lifetime == Lifetime.DETACHED && new File("/usr/bin/setsid").canExecute()) {
            return List.of("/usr/bin/setsid");
        }
        return List.of();
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public boolean alive() {
        return handle().map(ProcessHandle::isAlive).orElse(false);
    }

    /** SIGKILL: no shutdown hook runs, as when a machine dies. */
    public void kill9() {
        handle().ifPresent(ProcessHandle::destroyForcibly);
    }

    /** SIGTERM, then SIGKILL if it is still there after {@code graceSeconds}. */
    public void stop(long graceSeconds) {
        Optional<ProcessHandle> handle = handle();
        if (handle.isEmpty()) {
            return;
        }
        handle.get().destroy();
        try {
            handle.get().onExit().get(graceSeconds, TimeUnit.SECONDS);
        } catch (Exception e) {
            handle.get().destroyForcibly();
        }
    }

    /**
     * The process, if it is still the one started: a pid read back from a state file may have been
     * reused by another program since, so its command line must name this JVM's main class.
     */
    private Optional<ProcessHandle> handle() {
        return ProcessHandle.of(pid).filter(h -> commandLine(h).contains(mainClass));
    }

    /** The whole command line: ProcessHandle.Info cuts long ones (the cluster's class path is several KB). */
    private static String commandLine(ProcessHandle h) {
        Path proc = Path.of("/proc", Long.toString(h.pid()), "cmdline");
        try {
            return Files.readString(proc, StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return h.info().commandLine().orElse("");
        }
    }
}
