package dev.kiln.safety.job;

import dev.kiln.wire.JobArgs;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/** Every setting of the safety job, with its default. Settings both jobs read are in KilnOptions, storage settings in StorageOptions. */
public final class SafetyJobOptions {
  private SafetyJobOptions() {}

  public static final ConfigOption<String> GROUP_ID = ConfigOptions.key("kiln.safety.group-id")
      .stringType().defaultValue("kiln-safety").withDescription("Consumer group of the safety job.");

  public static final ConfigOption<String> IMAGE_POLICY_FILE = ConfigOptions.key("kiln.policy.image-file")
      .stringType().noDefaultValue()
      .withDescription("Per-tenant image policy JSON (classifier thresholds and actions, block-list action,"
          + " near-duplicate distance); unset: the policy shipped with Kiln.");

  public static final ConfigOption<String> BLOCK_LIST_FILE = ConfigOptions.key("kiln.policy.block-list")
      .stringType().noDefaultValue()
      .withDescription("PDQ hash block list, one 64-hex hash per line with an optional label; re-read when it"
          + " changes. Unset: no block list.");

  public static final ConfigOption<Boolean> PROVENANCE_SIGN = ConfigOptions.key("kiln.provenance.sign")
      .booleanType().defaultValue(true)
      .withDescription("Sign every published PNG with C2PA Content Credentials (docs/provenance.md). false publishes"
          + " unsigned images and logs a warning when the job starts.");

  public static final ConfigOption<String> PROVENANCE_KEYSTORE = ConfigOptions.key("kiln.provenance.keystore")
      .stringType().noDefaultValue()
      .withDescription("PKCS#12 keystore holding the C2PA signing key (EC P-256) and its certificate chain. Required"
          + " while kiln.provenance.sign is true; `kiln local` and `kiln up` make one under <data-dir>/provenance.");

  public static final ConfigOption<String> PROVENANCE_KEYSTORE_PASSWORD_FILE =
      ConfigOptions.key("kiln.provenance.keystore-password-file").stringType().noDefaultValue()
          .withDescription("File whose first line is the keystore's password (a mounted secret); never the"
              + " password itself, so it stays out of job arguments and logs.");

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
