package dev.kiln.safety.job;

import dev.kiln.wire.JobArgs;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/** Every setting of the safety job, with its default. Storage settings are in StorageOptions. */
public final class SafetyJobOptions {
  private SafetyJobOptions() {}

  public static final ConfigOption<String> BOOTSTRAP_SERVERS = ConfigOptions.key("kiln.kafka.bootstrap-servers")
      .stringType().defaultValue("localhost:9092").withDescription("Kafka bootstrap servers.");

  public static final ConfigOption<String> IMAGES_TOPIC = ConfigOptions.key("kiln.topics.images")
      .stringType().defaultValue("kiln.images").withDescription("Topic of RenderedImage references to moderate.");

  public static final ConfigOption<String> RESULTS_TOPIC = ConfigOptions.key("kiln.topics.results")
      .stringType().defaultValue("kiln.results").withDescription("Topic of RenderResult records.");

  public static final ConfigOption<String> DEAD_LETTER_TOPIC = ConfigOptions.key("kiln.topics.dead-letters")
      .stringType().defaultValue("kiln.requests.dlq").withDescription("Topic for records that cannot be processed.");

  public static final ConfigOption<String> RERENDERS_TOPIC = ConfigOptions.key("kiln.topics.rerenders")
      .stringType().defaultValue("kiln.rerenders")
      .withDescription("Topic of RenderedImage records asking the render job to render a near-duplicate again"
          + " with a new seed (the request set rerenderNearDuplicates).");

  public static final ConfigOption<String> GROUP_ID = ConfigOptions.key("kiln.safety.group-id")
      .stringType().defaultValue("kiln-safety").withDescription("Consumer group of the safety job.");

  public static final ConfigOption<String> PROMPT_POLICY_FILE = ConfigOptions.key("kiln.policy.prompt-file")
      .stringType().noDefaultValue()
      .withDescription("Prompt policy JSON file; unset: the policy shipped with Kiln.");

  public static final ConfigOption<String> IMAGE_POLICY_FILE = ConfigOptions.key("kiln.policy.image-file")
      .stringType().noDefaultValue()
      .withDescription("Per-tenant image policy JSON (classifier thresholds and actions, block-list action,"
          + " near-duplicate distance); unset: the policy shipped with Kiln.");

  public static final ConfigOption<String> BLOCK_LIST_FILE = ConfigOptions.key("kiln.policy.block-list")
      .stringType().noDefaultValue()
      .withDescription("PDQ hash block list, one 64-hex hash per line with an optional label; re-read when it"
          + " changes. Unset: no block list.");

  public static final ConfigOption<String> MODELS_DIR = ConfigOptions.key("kiln.models.dir")
      .stringType().defaultValue("models").withDescription("Directory holding the moderation model.");

  public static final ConfigOption<String> CLASSIFIER = ConfigOptions.key("kiln.safety.classifier")
      .stringType().defaultValue("")
      .withDescription("The NSFW classifier's ONNX file; empty: <kiln.models.dir>/nsfw-mobilenet-v2/model.onnx;"
          + " 'none' turns the classifier off (verdicts then carry no scores).");

  public static final ConfigOption<Integer> WORKERS = ConfigOptions.key("kiln.safety.workers")
      .intType().defaultValue(2).withDescription("Threads per subtask that fetch, judge and move images.");

  public static final ConfigOption<Integer> CLASSIFIER_THREADS = ConfigOptions.key("kiln.safety.classifier-threads")
      .intType().defaultValue(1)
      .withDescription("ONNX Runtime intra-op threads per classification. 1: each worker classifies on its own"
          + " thread, and the workers classify in parallel (the cheapest on CPU for this small model); 0: ONNX"
          + " Runtime's default, one per physical core.");

  public static final ConfigOption<Duration> NEAR_DUPLICATE_TTL = ConfigOptions.key("kiln.safety.near-duplicate-ttl")
      .durationType().defaultValue(Duration.ofDays(2))
      .withDescription("How long a batch's image hashes are kept for near-duplicate marking.");

  public static final ConfigOption<Integer> MAX_RERENDERS = ConfigOptions.key("kiln.safety.max-rerenders")
      .intType().defaultValue(2)
      .withDescription("How often a near-duplicate of a request with rerenderNearDuplicates is rendered again with"
          + " a new seed; the last attempt is published with the near-duplicate flag. 0 turns re-rendering off.");

  public static final ConfigOption<Integer> ASYNC_CAPACITY = ConfigOptions.key("kiln.safety.async-capacity")
      .intType().defaultValue(16).withDescription("Images being moderated at once per subtask.");

  public static final ConfigOption<Duration> ASYNC_TIMEOUT = ConfigOptions.key("kiln.safety.timeout")
      .durationType().defaultValue(Duration.ofMinutes(2))
      .withDescription("Moderating one image longer than this fails the task, and Flink retries it.");

  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = ConfigOptions.key("kiln.checkpoint-interval")
      .durationType().defaultValue(Duration.ofSeconds(5))
      .withDescription("Checkpoint interval; results become visible to read_committed consumers on each checkpoint.");

  /**
   * {@link #MAX_RERENDERS} from {@code config}.
   *
   * @throws IllegalArgumentException if it is negative
   */
  public static int maxRerenders(Configuration config) {
    return JobArgs.checkedInt(config, MAX_RERENDERS, 0, Integer.MAX_VALUE,
        "0 or more (0: near-duplicates are never re-rendered, only flagged)");
  }

  /**
   * {@link #CLASSIFIER_THREADS} from {@code config}.
   *
   * @throws IllegalArgumentException naming the option when it is negative
   */
  public static int classifierThreads(Configuration config) {
    return JobArgs.checkedInt(config, CLASSIFIER_THREADS, 0, Integer.MAX_VALUE, "0 (ONNX Runtime's default) or more");
  }
}
