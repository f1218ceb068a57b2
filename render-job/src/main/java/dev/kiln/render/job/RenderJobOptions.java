package dev.kiln.render.job;

import dev.kiln.render.engine.PngEncoder;
import dev.kiln.wire.JobArgs;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/** Every setting of the render job, with its default. Settings both jobs read are in KilnOptions, storage settings in StorageOptions. */
public final class RenderJobOptions {
  private RenderJobOptions() {}

  public static final ConfigOption<String> GROUP_ID = ConfigOptions.key("kiln.render.group-id")
      .stringType().defaultValue("kiln-render").withDescription("Consumer group of the render job.");

  public static final ConfigOption<String> DEVICE = ConfigOptions.key("kiln.render.device")
      .stringType().defaultValue("cpu")
      .withDescription("cpu, gpu (the GPU Flink's external resource framework assigned to this TaskManager, else 0)"
          + " or gpu:N.");

  public static final ConfigOption<Integer> BATCH_SIZE = ConfigOptions.key("kiln.render.batch-size")
      .intType().defaultValue(8).withDescription("Most images rendered in one batched denoising loop.");

  public static final ConfigOption<Integer> ENGINE_THREADS = ConfigOptions.key("kiln.render.engine-threads")
      .intType().defaultValue(1)
      .withDescription("ONNX Runtime intra-op threads per batch; 0: ONNX Runtime's default (one per physical core)."
          + " On CPU, one thread per batch and one batch per core (kiln.render.concurrent-batches) renders the"
          + " most images per second.");

  public static final ConfigOption<Integer> CONCURRENT_BATCHES = ConfigOptions.key("kiln.render.concurrent-batches")
      .intType().defaultValue(0)
      .withDescription("Batches rendered side by side per TaskManager and model. 0: on cpu, the TaskManager's"
          + " processors divided by kiln.render.engine-threads (1 when that is 0); on a GPU, 1.");

  public static final ConfigOption<Integer> PNG_COMPRESSION = ConfigOptions.key("kiln.render.png-compression")
      .intType().defaultValue(PngEncoder.DEFAULT_COMPRESSION_LEVEL)
      .withDescription("zlib level of the staged PNGs, 0 (stored) to 9 (smallest). The default, 4, deflates about three"
          + " times faster than 6 for about 6% more bytes.");

  public static final ConfigOption<Duration> BATCH_WAIT = ConfigOptions.key("kiln.render.batch-wait")
      .durationType().defaultValue(Duration.ofMillis(25))
      .withDescription("Longest a request waits for its batch to fill before the batch runs anyway.");

  public static final ConfigOption<Integer> ASYNC_CAPACITY = ConfigOptions.key("kiln.render.async-capacity")
      .intType().defaultValue(4096)
      .withDescription("Images in flight per render subtask (at least the batch size, so batches can fill). Deep, so"
          + " that a backlog waits in the batching engine, where fair share orders it, rather than in Kafka, where"
          + " it is first in, first out (docs/fair-share.md). Each image in flight holds its request (about 1 KB"
          + " typically, at most about 10 KB with the longest prompts and labels) in the heap and in every"
          + " checkpoint: about 4 MB per subtask at the default, 40 MB at worst.");

  public static final ConfigOption<Duration> ASYNC_TIMEOUT = ConfigOptions.key("kiln.render.timeout")
      .durationType().defaultValue(Duration.ofMinutes(10))
      .withDescription("An image whose batch has not finished this long after it started gets a FAILED result; the"
          + " job goes on. Time waiting in the queue does not count (see operatorTimeout for the bound on that).");

  public static final ConfigOption<Boolean> FAIR_SHARE = ConfigOptions.key("kiln.render.fair-share")
      .booleanType().defaultValue(true)
      .withDescription("Order the batching engine's queue by tenant, round robin, and interactive requests before"
          + " bulk ones (docs/fair-share.md). false: one queue, first in, first out, as before fair share; for"
          + " comparison (bench/fairness/run.sh).");

  public static final ConfigOption<Integer> RENDER_PARALLELISM = ConfigOptions.key("kiln.render.parallelism")
      .intType().defaultValue(1).withDescription("Parallelism of the render operator.");

  public static final ConfigOption<String> SLOT_SHARING_GROUP = ConfigOptions.key("kiln.render.slot-sharing-group")
      .stringType().defaultValue("render")
      .withDescription("Slot sharing group of the render operator, so it can get slots (and GPUs) of its own.");

  public static final ConfigOption<Boolean> SKIP_PUBLISHED = ConfigOptions.key("kiln.render.skip-published")
      .booleanType().defaultValue(true)
      .withDescription("Before rendering an image, check the bucket for its sidecar under assets/ or quarantine/ and"
          + " skip it if there is one (two HEAD requests an image). This keeps a resubmitted batch from being"
          + " rendered twice when the job starts without its checkpointed dedupe state.");

  public static final ConfigOption<Duration> DEDUPE_TTL = ConfigOptions.key("kiln.render.dedupe-ttl")
      .durationType().defaultValue(Duration.ofDays(7))
      .withDescription("How long a request id is remembered: a request with an id seen within this time is dropped.");

  public static final ConfigOption<Integer> WATERMARK_KEY_ID = ConfigOptions.key("kiln.watermark.key-id")
      .intType().defaultValue(1)
      .withDescription("Key id, 0 to 65535, in the invisible watermark the render job embeds in every image before"
          + " staging it (docs/watermark.md): which deployment or signing key marked the image. kiln render marks its"
          + " files with the same id (--watermark-key-id).");

  /**
   * {@link #CONCURRENT_BATCHES} resolved for {@code device}: the configured value, or when 0, one
   * batch per {@link #ENGINE_THREADS} threads' worth of {@code processors} on CPU and 1 on a GPU.
   *
   * @throws IllegalArgumentException naming the option when either setting is negative
   */
  public static int concurrentBatches(Configuration config, boolean gpu, int processors) {
    int threads = engineThreads(config);
    int batches = JobArgs.checkedInt(config, CONCURRENT_BATCHES, 0, Integer.MAX_VALUE, "0 (automatic) or more");
    if (batches > 0) {
      return batches;
    }
    if (gpu || threads == 0) {
      return 1;
    }
    return Math.max(1, processors / threads);
  }

  /**
   * The async operator's own timeout, counted from when an image enters the operator: the render
   * timeout ({@link #ASYNC_TIMEOUT}, counted from when the image's batch starts) plus the longest the
   * image can wait for its batch if every batch ahead of it in the subtask's in-flight images ran
   * to the render timeout one after another: {@code timeout * (1 + ceil(capacity / batch size))}.
   * A last resort (a batching engine whose workers died): waiting behind a deep but moving queue
   * must not fail an image.
   */
  public static Duration operatorTimeout(Configuration config) {
    int batch = Math.max(1, config.get(BATCH_SIZE));
    int capacity = asyncCapacity(config);
    long batchesAhead = (capacity + batch - 1) / batch;
    return config.get(ASYNC_TIMEOUT).multipliedBy(1 + batchesAhead);
  }

  /** {@link #ASYNC_CAPACITY}, raised to the batch size so that a batch can fill. */
  public static int asyncCapacity(Configuration config) {
    return Math.max(config.get(ASYNC_CAPACITY), config.get(BATCH_SIZE));
  }

  /**
   * {@link #PNG_COMPRESSION}.
   *
   * @throws IllegalArgumentException naming the option when it is outside 0 to 9
   */
  public static int pngCompression(Configuration config) {
    return JobArgs.checkedInt(config, PNG_COMPRESSION, 0, 9, "0 (stored) to 9 (smallest)");
  }

  /**
   * {@link #ENGINE_THREADS}.
   *
   * @throws IllegalArgumentException naming the option when it is negative
   */
  public static int engineThreads(Configuration config) {
    return JobArgs.checkedInt(config, ENGINE_THREADS, 0, Integer.MAX_VALUE, "0 (ONNX Runtime's default) or more");
  }

  /**
   * {@link #WATERMARK_KEY_ID}.
   *
   * @throws IllegalArgumentException naming the option when it is outside 0 to 65535
   */
  public static int watermarkKeyId(Configuration config) {
    return JobArgs.checkedInt(config, WATERMARK_KEY_ID, 0, 0xFFFF, "0 to 65535");
  }
}
