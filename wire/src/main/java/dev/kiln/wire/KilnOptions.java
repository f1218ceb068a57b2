package dev.kiln.wire;

import dev.kiln.schemas.Topics;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The settings every Kiln job reads, declared once: where Kafka is, the topics, the models, the
 * checkpoint interval and the prompt policy. Each job's own settings are in its {@code *JobOptions},
 * storage settings in {@code StorageOptions}.
 */
public final class KilnOptions {
  private KilnOptions() {}

  public static final ConfigOption<String> BOOTSTRAP_SERVERS = ConfigOptions.key("kiln.kafka.bootstrap-servers")
      .stringType().defaultValue("localhost:9092").withDescription("Kafka bootstrap servers.");

  public static final ConfigOption<String> KAFKA_CLIENT_CONFIG = ConfigOptions.key("kiln.kafka.client-config")
      .stringType().noDefaultValue().withDescription("Path of a Kafka client properties file with the security"
          + " settings (security.protocol, ssl.*, sasl.*) of every Kafka client of the job; read where the job is"
          + " built, and carried in the job graph as Flink's Kafka connector carries its properties. Unset: plaintext.");

  public static final ConfigOption<String> REQUESTS_TOPIC = ConfigOptions.key("kiln.topics.requests")
      .stringType().defaultValue(Topics.REQUESTS).withDescription("Topic of RenderRequest records.");

  public static final ConfigOption<String> DEAD_LETTER_TOPIC = ConfigOptions.key("kiln.topics.dead-letters")
      .stringType().defaultValue(Topics.DEAD_LETTERS)
      .withDescription("Topic for records that cannot be processed, from both jobs.");

  public static final ConfigOption<String> IMAGES_TOPIC = ConfigOptions.key("kiln.topics.images")
      .stringType().defaultValue(Topics.IMAGES)
      .withDescription("Topic of RenderedImage references: the render job writes them, the safety job moderates them.");

  public static final ConfigOption<String> RESULTS_TOPIC = ConfigOptions.key("kiln.topics.results")
      .stringType().defaultValue(Topics.RESULTS)
      .withDescription("Topic of RenderResult records: the safety job's verdicts, and the render job's prompt"
          + " rejections and failures.");

  public static final ConfigOption<String> RERENDERS_TOPIC = ConfigOptions.key("kiln.topics.rerenders")
      .stringType().defaultValue(Topics.RERENDERS)
      .withDescription("Topic of RenderedImage records the safety job sends back to the render job: near-duplicates"
          + " to render again with the seed they carry (the request set rerenderNearDuplicates).");

  public static final ConfigOption<String> MODELS_DIR = ConfigOptions.key("kiln.models.dir")
      .stringType().defaultValue("models")
      .withDescription("Directory of models: one subdirectory per diffusion model in the diffusers ONNX layout,"
          + " and the moderation model (nsfw-mobilenet-v2).");

  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = ConfigOptions.key("kiln.checkpoint-interval")
      .durationType().defaultValue(Duration.ofSeconds(5))
      .withDescription("Checkpoint interval; results become visible to read_committed consumers on each checkpoint.");

  public static final ConfigOption<String> PROMPT_POLICY_FILE = ConfigOptions.key("kiln.policy.prompt-file")
      .stringType().noDefaultValue()
      .withDescription("Prompt policy JSON file; unset: the policy shipped with Kiln.");
}
