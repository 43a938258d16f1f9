package io.treepo.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The processes a cluster started, one per line (name, pid, main class, output file), so another command can stop them. */
final class ProcessList {
    private ProcessList() {}

    static void write(Path file, List<JavaProcess> processes) throws IOException {
        StringBuilder text = new StringBuilder();
        for (JavaProcess p : processes) {
            text.append(p.name()).append('\t').append(p.pid()).append('\t').append(p.mainClass()).append('\t').append(p.log()).append('\n');
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, text);
    }

    static List<JavaProcess> read(Path file) throws IOException {
        List<JavaProcess> processes = new ArrayList<>();
        if (!Files.exists(file)) {
            return processes;
        }
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split("\t");
            if (f.length == 4) {
                processes.add(new JavaProcess(f[0], Long.parseLong(f[1]), f[2], Path.of(f[3])));
            }
        }
        return processes;
    }

    /**
     * Stops the processes listed in {@code dir}'s process list (those still alive and still running
     * their main class), newest first, and removes the list.
     *
     * @return the processes it stopped
     */
    static List<JavaProcess> stopAll(Path file) throws IOException {
        List<JavaProcess> listed = read(file);
        List<JavaProcess> stopped = new ArrayList<>();
        for (int i = listed.size() - 1; i >= 0; i--) {
            JavaProcess p = listed.get(i);
            if (p.alive()) {
                p.stop(20);
                stopped.add(p);
            }
        }
        Files.deleteIfExists(file);
        return stopped;
    }
}
