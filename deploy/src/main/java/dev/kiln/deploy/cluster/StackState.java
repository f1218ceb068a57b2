package dev.kiln.deploy.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a running stack is made of, kept in {@code {dataDir}/run/stack.json} so that {@code kiln
 * status} and {@code kiln down} (other processes) can find it: every process with its pid and the
 * command that started it, the endpoints, and the two jobs.
 */
public final class StackState {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One OS process of the stack; {@code command} starts it again. */
  public record Service(String name, long pid, long startedAtMillis, List<String> command, String log) {}

  public String bootstrapServers;
  public String s3Endpoint;
  public String bucket;
  public String s3AccessKey;
  public String s3SecretKey;
  public String restUrl;
  public String apiUrl;
  public String apiKey;
  public List<Service> services = new ArrayList<>();
  public Map<String, String> jobs = new LinkedHashMap<>();

  public Optional<Service> service(String name) {
    return services.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** Replaces the entry of {@code s.name()}, or adds it. */
  public void put(Service s) {
    services.removeIf(old -> old.name().equals(s.name()));
    services.add(s);
  }

  public void save(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    JSON.writeValue(tmp.toFile(), this);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public static Optional<StackState> load(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    return Optional.of(JSON.readValue(file.toFile(), StackState.class));
  }
}
