package dev.kiln.ingest;

import picocli.CommandLine.Option;

/**
 * The Kafka connection flags of every {@code kiln} command that talks to the broker, as one picocli
 * mixin: {@code --bootstrap-servers}, defaulting to {@code $KILN_BOOTSTRAP_SERVERS} and then to
 * {@code localhost:9092}, where {@code kiln up} runs its broker.
 */
public final class KafkaConnectionOptions {
  /** The broker address when neither the flag nor the environment variable is set. */
  public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
      defaultValue = "${env:KILN_BOOTSTRAP_SERVERS:-" + DEFAULT_BOOTSTRAP_SERVERS + "}",
      description = "Kafka bootstrap servers. Default: $KILN_BOOTSTRAP_SERVERS, else " + DEFAULT_BOOTSTRAP_SERVERS
          + ".")
  private String bootstrapServers;

  public String bootstrapServers() {
    return bootstrapServers;
  }
}
