package dev.kiln.ingest;

import dev.kiln.schemas.KafkaEndpoint;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The Kafka connection flags of every {@code kiln} command that talks to the broker, as one picocli
 * mixin: {@code --bootstrap-servers}, defaulting to {@code $KILN_BOOTSTRAP_SERVERS} and then to
 * {@code localhost:9092}, where {@code kiln up} runs its broker; and {@code --kafka-config}, a Kafka
 * client properties file with the TLS or SASL settings, defaulting to {@code $KILN_KAFKA_CONFIG}.
 * Secrets such as a SASL password live in that file, never on the command line.
 */
public final class KafkaConnectionOptions {
  /** The broker address when neither the flag nor the environment variable is set. */
  public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";

  @Spec(Spec.Target.MIXEE)
  private CommandSpec mixee;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
      defaultValue = "${env:KILN_BOOTSTRAP_SERVERS:-" + DEFAULT_BOOTSTRAP_SERVERS + "}",
      description = "Kafka bootstrap servers. Default: $KILN_BOOTSTRAP_SERVERS, else " + DEFAULT_BOOTSTRAP_SERVERS
          + ".")
  private String bootstrapServers;

  @Option(names = "--kafka-config", paramLabel = "FILE", defaultValue = "${env:" + KafkaEndpoint.CONFIG_ENV + "}",
      description = "Kafka client properties file with the security settings (security.protocol, ssl.*, sasl.*),"
          + " as for Kafka's own --command-config. Default: $" + KafkaEndpoint.CONFIG_ENV + "; unset: plaintext.")
  private Path kafkaConfig;

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * The broker and its security settings.
   *
   * @throws CommandLine.ParameterException naming {@code --kafka-config} when the file cannot be
   *     read or holds a setting Kiln does not accept
   */
  public KafkaEndpoint endpoint() {
    try {
      return new KafkaEndpoint(bootstrapServers,
          kafkaConfig == null ? Map.of() : KafkaEndpoint.load(kafkaConfig, "--kafka-config"));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(mixee == null ? new CommandLine(this) : mixee.commandLine(),
          e.getMessage(), e);
    }
  }
}
