package io.treepo.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The few calls of Flink's REST API (the one the Web UI uses) that starting and watching a cluster
 * needs: upload a job jar, run it, read job and TaskManager states.
 */
public final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** @param base the Web UI's address, e.g. {@code http://localhost:8081} */
    public FlinkRest(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    public String address() {
        return base;
    }

    /** The cluster's overview, or null while the JobManager does not answer. */
    public JsonNode overview() {
        try {
            return get("/overview");
        } catch (IOException e) {
            return null;
        }
    }

    /** TaskManagers registered with the JobManager. */
    public int taskManagers() throws IOException {
        return get("/taskmanagers").path("taskmanagers").size();
    }

    /** Uploads a job jar ({@code POST /jars/upload}, as the Web UI's "Submit New Job" does); returns its id. */
    public String uploadJar(Path jar) throws IOException {
        String boundary = "treepo-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName()
                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .timeout(Duration.ofMinutes(2))
                .build();
        JsonNode answer = send(request);
        String file = answer.path("filename").asText("");
        if (!"success".equals(answer.path("status").asText()) || file.isEmpty()) {
            throw new IOException("jar upload refused: " + answer);
        }
        return Path.of(file).getFileName().toString();
    }

    /** Runs an uploaded jar ({@code POST /jars/<id>/run}); its main method runs in the JobManager. Returns the job id. */
    public String runJar(String jarId, String entryClass, List<String> args) throws IOException {
        String payload = JSON.writeValueAsString(Map.of("entryClass", entryClass, "programArgsList", args));
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/jars/" + jarId + "/run"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(payload))
                .timeout(Duration.ofMinutes(3))
                .build();
        JsonNode answer = send(request);
        String job = answer.path("jobid").asText("");
        if (job.isEmpty()) {
            throw new IOException("job submission failed: " + answer);
        }
        return job;
    }

    /** The job's state (RUNNING, RESTARTING, ...). */
    public String jobState(String jobId) throws IOException {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** True when the job and every one of its tasks are RUNNING (the job says RUNNING while tasks still deploy). */
    public boolean fullyRunning(String jobId) throws IOException {
        JsonNode job = get("/jobs/" + jobId);
        if (!"RUNNING".equals(job.path("state").asText())) {
            return false;
        }
        for (JsonNode vertex : job.path("vertices")) {
            if (!"RUNNING".equals(vertex.path("status").asText())) {
                return false;
            }
        }
        return true;
    }

    public JsonNode get(String path) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).GET().build());
    }

    private JsonNode send(HttpRequest request) throws IOException {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + request.uri(), e);
        }
        JsonNode body = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        if (response.statusCode() >= 400) {
            throw new IOException(request.method() + " " + request.uri() + ": HTTP " + response.statusCode() + " " + body.path("errors"));
        }
        return body;
    }
}
