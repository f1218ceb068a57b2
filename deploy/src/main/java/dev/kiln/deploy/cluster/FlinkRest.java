package dev.kiln.deploy.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The parts of Flink's REST API that {@code kiln up}, {@code kiln status} and the tests use, the same
 * calls {@code flink run} and the web UI make: upload and run a jar, follow a job, cancel it.
 */
public final class FlinkRest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final HttpClient http;

  public FlinkRest(URI base) {
    this.base = base;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  public URI uri() {
    return base;
  }

  /** A job as the REST API reports it. */
  public record Job(String id, String name, String state) {}

  /** The latest completed checkpoint of a job, if any, and how many completed and failed. */
  public record CheckpointInfo(long completed, long failed, Optional<Long> latestId, Optional<String> latestPath,
      Optional<Long> latestAtMillis, Optional<String> restoredFrom) {}

  /** Task managers registered and task slots in all and free, from {@code /overview}. */
  public record Overview(int taskManagers, int slotsTotal, int slotsAvailable) {}

  public Overview overview() throws IOException {
    JsonNode o = get("/overview");
    return new Overview(o.path("taskmanagers").asInt(), o.path("slots-total").asInt(),
        o.path("slots-available").asInt());
  }

  /** True when the REST endpoint answers. */
  public boolean isUp() {
    try {
      overview();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Uploads {@code jar}; returns the id the cluster gave it. */
  public String uploadJar(Path jar) throws IOException {
    String boundary = "kiln-" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
        + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
        .getBytes(StandardCharsets.UTF_8));
    body.writeBytes(Files.readAllBytes(jar));
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/jars/upload"))
        .timeout(Duration.ofMinutes(2))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
        .build();
    JsonNode answer = send(request, "upload " + jar);
    String filename = answer.path("filename").asText("");
    if (!"success".equals(answer.path("status").asText()) || filename.isEmpty()) {
      throw new IOException("Flink did not accept " + jar + ": " + answer);
    }
    return Path.of(filename).getFileName().toString();
  }

  /**
   * Runs an uploaded jar's {@code entryClass} with {@code args}; the JobManager runs its main method.
   *
   * @param restoreFrom a retained checkpoint or savepoint to restore from, or empty to start fresh
   * @return the job id
   */
  public String runJar(String jarId, String entryClass, List<String> args, Optional<Path> restoreFrom)
      throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.put("entryClass", entryClass);
    body.putArray("programArgsList").addAll(args.stream().map(JSON.getNodeFactory()::textNode).toList());
    restoreFrom.ifPresent(p -> {
      body.put("savepointPath", p.toUri().toString());
      body.put("allowNonRestoredState", false);
    });
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/jars/" + jarId + "/run"))
        .timeout(Duration.ofMinutes(3))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
        .build();
    String id = send(request, "run " + entryClass).path("jobid").asText("");
    if (id.isEmpty()) {
      throw new IOException("Flink ran " + entryClass + " but returned no job id");
    }
    return id;
  }

  public List<Job> jobs() throws IOException {
    List<Job> jobs = new ArrayList<>();
    for (JsonNode j : get("/jobs/overview").path("jobs")) {
      jobs.add(new Job(j.path("jid").asText(), j.path("name").asText(), j.path("state").asText()));
    }
    return jobs;
  }

  public JsonNode job(String jobId) throws IOException {
    return get("/jobs/" + jobId);
  }

  /** True when the job is RUNNING and so is every one of its tasks. */
  public boolean allTasksRunning(String jobId) throws IOException {
    JsonNode job = job(jobId);
    if (!"RUNNING".equals(job.path("state").asText())) {
      return false;
    }
    for (JsonNode v : job.path("vertices")) {
      if (!"RUNNING".equals(v.path("status").asText())) {
        return false;
      }
    }
    return true;
  }

  /** The resource ids of the TaskManagers that run a task of the job. */
  public java.util.Set<String> taskManagersOf(String jobId) throws IOException {
    java.util.Set<String> ids = new java.util.TreeSet<>();
    for (JsonNode v : job(jobId).path("vertices")) {
      for (JsonNode tm : get("/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/taskmanagers")
          .path("taskmanagers")) {
        ids.add(tm.path("taskmanager-id").asText());
      }
    }
    return ids;
  }

  /** How often the job restarted since it was submitted. */
  public long restarts(String jobId) throws IOException {
    for (JsonNode m : get("/jobs/" + jobId + "/metrics?get=numRestarts")) {
      return m.path("value").asLong();
    }
    return 0;
  }

  public CheckpointInfo checkpoints(String jobId) throws IOException {
    JsonNode c = get("/jobs/" + jobId + "/checkpoints");
    JsonNode latest = c.path("latest").path("completed");
    JsonNode restored = c.path("latest").path("restored");
    boolean has = latest.isObject();
    return new CheckpointInfo(c.path("counts").path("completed").asLong(), c.path("counts").path("failed").asLong(),
        has ? Optional.of(latest.path("id").asLong()) : Optional.empty(),
        has ? Optional.of(latest.path("external_path").asText()) : Optional.empty(),
        has ? Optional.of(latest.path("latest_ack_timestamp").asLong()) : Optional.empty(),
        restored.isObject() ? Optional.of(restored.path("external_path").asText()) : Optional.empty());
  }

  /** The job's most recent failure, in one line, or "no failure recorded". */
  public String rootException(String jobId) throws IOException {
    JsonNode e = get("/jobs/" + jobId + "/exceptions");
    String root = e.path("root-exception").asText("");
    if (root.isEmpty()) {
      for (JsonNode entry : e.path("exceptionHistory").path("entries")) {
        root = entry.path("stacktrace").asText(entry.path("exceptionName").asText(""));
        break;
      }
    }
    return root.isEmpty() ? "no failure recorded" : root.lines().limit(3).reduce((a, b) -> a + " | " + b).orElse(root);
  }

  /** Cancels the job; its retained checkpoints stay. */
  public void cancel(String jobId) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "?mode=cancel"))
        .timeout(Duration.ofSeconds(30))
        .method("PATCH", HttpRequest.BodyPublishers.noBody())
        .build();
    send(request, "cancel " + jobId);
  }

  private JsonNode get(String path) throws IOException {
    return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build(), "GET " + path);
  }

  private JsonNode send(HttpRequest request, String what) throws IOException {
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new IOException("Flink REST at " + base + " does not answer (" + what + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + what, e);
    }
    if (response.statusCode() / 100 != 2) {
      throw new IOException("Flink REST " + what + ": HTTP " + response.statusCode() + ": " + errors(response.body()));
    }
    String body = response.body();
    return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
  }

  private static String errors(String body) {
    try {
      JsonNode errors = JSON.readTree(body).path("errors");
      if (errors.isArray() && !errors.isEmpty()) {
        List<String> lines = new ArrayList<>();
        errors.forEach(e -> lines.add(e.asText()));
        return String.join("\n", lines);
      }
    } catch (IOException e) {
      // Not JSON: the body as it came.
    }
    return body;
  }
}
