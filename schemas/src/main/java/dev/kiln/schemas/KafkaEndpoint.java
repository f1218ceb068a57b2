package dev.kiln.schemas;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where Kafka is and how to reach it securely: bootstrap servers, plus the client security
 * settings (TLS, SASL) every Kiln client uses, the jobs' sources and sinks as much as the CLI's and
 * the HTTP server's producers and consumers.
 *
 * <p>Jobs build theirs with {@code KafkaWire.endpoint(Configuration)}, the CLI and the HTTP server
 * from {@code --kafka-config} or {@code $KILN_KAFKA_CONFIG}. The security settings come from a
 * Kafka client properties file, the same format as Kafka's own {@code --command-config} files,
 * never from a command line or the Flink configuration, where a SASL password would be visible in
 * {@code ps} or the Flink web UI. {@link #clientConfig} puts them under Kiln's own settings. Only {@code
 * security.protocol}, {@code ssl.*} and {@code sasl.*} keys are accepted: every other client
 * setting is Kiln's to choose (isolation level, idempotence, transactions), and a file that changed
 * one could break exactly-once delivery without a word.
 *
 * @param bootstrapServers Kafka's {@code bootstrap.servers}
 * @param security the security settings, empty for a plaintext broker
 */
public record KafkaEndpoint(String bootstrapServers, Map<String, String> security) implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final List<String> PROTOCOLS = List.of("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL");
  /** The environment variable the CLI and the HTTP server read the file's path from. */
  public static final String CONFIG_ENV = "KILN_KAFKA_CONFIG";

  public KafkaEndpoint {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("Kafka bootstrap servers are empty: give host:port[,host:port...]");
    }
    security = Map.copyOf(new TreeMap<>(security));
    List<String> problems = problems(security);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /** A plaintext broker. */
  public static KafkaEndpoint plaintext(String bootstrapServers) {
    return new KafkaEndpoint(bootstrapServers, Map.of());
  }

  /**
   * The security settings in a Kafka client properties file.
   *
   * @param setting what named the file, for error messages (an option or a variable)
   * @throws IllegalArgumentException when the file cannot be read or holds a key or value Kiln does not accept
   */
  public static Map<String, String> load(Path file, String setting) {
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(in);
    } catch (IOException e) {
      throw new IllegalArgumentException(setting + ": cannot read Kafka client config " + file + ": "
          + e.getMessage(), e);
    }
    Map<String, String> security = new TreeMap<>();
    properties.stringPropertyNames().forEach(k -> security.put(k, properties.getProperty(k)));
    List<String> problems = problems(security);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(setting + ": " + file + ": " + String.join("; ", problems));
    }
    return security;
  }

  /**
   * A Kafka client's configuration: the security settings, {@code bootstrap.servers}, then {@code
   * kiln}'s own settings, which win over both.
   */
  public Map<String, Object> clientConfig(Map<String, ?> kiln) {
    Map<String, Object> config = new HashMap<>(security);
    config.put("bootstrap.servers", bootstrapServers);
    config.putAll(kiln);
    return config;
  }

  /** Bootstrap servers and the names of the security settings, never their values. */
  @Override
  public String toString() {
    return "KafkaEndpoint[" + bootstrapServers + (security.isEmpty() ? "" : ", security " + security.keySet()) + "]";
  }

  private static List<String> problems(Map<String, String> security) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> e : security.entrySet()) {
      String key = e.getKey();
      if (!(key.equals("security.protocol") || key.startsWith("ssl.") || key.startsWith("sasl."))) {
        problems.add("key '" + key + "' is not a security setting: allowed are security.protocol, ssl.* and sasl.*");
      }
    }
    String protocol = security.get("security.protocol");
    if (protocol != null && !PROTOCOLS.contains(protocol)) {
      problems.add("security.protocol '" + protocol + "' is not one of " + String.join(", ", PROTOCOLS));
    }
    return problems;
  }
}
