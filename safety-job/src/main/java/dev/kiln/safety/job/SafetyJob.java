package dev.kiln.safety.job;

import dev.kiln.schemas.Topics;
import dev.kiln.wire.KilnOptions;
import dev.kiln.safety.gallery.GalleryFunction;
import dev.kiln.safety.gallery.Published;
import dev.kiln.safety.policy.TenantPolicies;
import dev.kiln.schemas.DeadLetter;
import dev.kiln.schemas.KafkaEndpoint;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.TrustedPackages;
import dev.kiln.storage.StorageOptions;
import dev.kiln.wire.JobArgs;
import dev.kiln.wire.KafkaWire;
import dev.kiln.wire.RawRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The safety job: kiln.images (read_committed) -> fetch the staged PNG and judge it (integrity,
 * prompt policy, classifier against the tenant's thresholds, PDQ block list) -> mark near-duplicates
 * within the batch -> move to assets/ or quarantine/ with a sidecar -> kiln.results, exactly once.
 * A near-duplicate whose request asked for it is not moved but sent back to the render job on
 * kiln.rerenders (see {@link MarkNearDuplicates}), through an exactly-once sink as well.
 */
public final class SafetyJob {
  private final Configuration config;
  private final Source<RawRecord, ?, ?> source;
  private final Sink<RenderResult> resultSink;
  private final Sink<DeadLetter> deadLetterSink;
  private final Sink<RenderedImage> rerenderSink;

  /**
   * The streams the pipeline body produces.
   *
   * @param rerenders re-render records (attempt + 1, new seed) for kiln.rerenders
   */
  public record Outputs(DataStream<RenderResult> results, DataStream<DeadLetter> deadLetters,
      DataStream<RenderedImage> rerenders) {}

  /**
   * @param rerenderSink receives the re-render records; it must be exactly-once for a re-render to
   *     keep one result per image (see {@link MarkNearDuplicates})
   */
  public SafetyJob(Configuration config, Source<RawRecord, ?, ?> source, Sink<RenderResult> resultSink,
      Sink<DeadLetter> deadLetterSink, Sink<RenderedImage> rerenderSink) {
    this.config = config;
    this.source = source;
    this.resultSink = resultSink;
    this.deadLetterSink = deadLetterSink;
    this.rerenderSink = rerenderSink;
  }

  public static SafetyJob onKafka(Configuration config) {
    KafkaEndpoint kafka = KafkaWire.endpoint(config);
    String group = config.get(SafetyJobOptions.GROUP_ID);
    return new SafetyJob(config,
        KafkaWire.rawSource(kafka, config.get(KilnOptions.IMAGES_TOPIC), group),
        KafkaWire.resultSink(kafka, config.get(KilnOptions.RESULTS_TOPIC), group + "-results"),
        KafkaWire.deadLetterSink(kafka, config.get(KilnOptions.DEAD_LETTER_TOPIC), group + "-dlq"),
        KafkaWire.imageSink(kafka, config.get(KilnOptions.RERENDERS_TOPIC), group + "-rerenders"));
  }

  public void attach(StreamExecutionEnvironment env) {
    TrustedPackages.ensure();
    env.enableCheckpointing(config.get(KilnOptions.CHECKPOINT_INTERVAL).toMillis(), CheckpointingMode.EXACTLY_ONCE);
    DataStream<RawRecord> raw = env.fromSource(source, WatermarkStrategy.noWatermarks(), Topics.IMAGES)
        .uid("images-source");
    Outputs out = build(raw, config);
    out.results().sinkTo(resultSink).name(Topics.RESULTS).uid("results-sink");
    out.deadLetters().sinkTo(deadLetterSink).name(Topics.DEAD_LETTERS).uid("dlq-sink");
    out.rerenders().sinkTo(rerenderSink).name(Topics.RERENDERS).uid("rerenders-sink");
  }

  /** The pipeline body, stream to stream. */
  public static Outputs build(DataStream<RawRecord> raw, Configuration config) {
    int maxRerenders = SafetyJobOptions.maxRerenders(config);
    SafetyJobOptions.classifierThreads(config); // fails the submission, not every task start
    Signing.identity(config); // so does a missing or wrong signing keystore
    SingleOutputStreamOperator<RenderedImage> images = raw.process(new DecodeImages(StorageOptions.fromConfiguration(config).bucket())).name("decode").uid("decode");
    long timeout = config.get(SafetyJobOptions.ASYNC_TIMEOUT).toMillis();
    int capacity = config.get(SafetyJobOptions.ASYNC_CAPACITY);
    DataStream<Inspection> judged = AsyncDataStream.unorderedWait(images, new InspectFunction(config),
            timeout, TimeUnit.MILLISECONDS, capacity)
        .name("inspect").uid("inspect");
    String policyFile = config.get(SafetyJobOptions.IMAGE_POLICY_FILE);
    TenantPolicies policies;
    try {
      policies = policyFile == null ? TenantPolicies.loadDefault() : TenantPolicies.load(Path.of(policyFile));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + SafetyJobOptions.IMAGE_POLICY_FILE.key() + " " + policyFile, e);
    }
    SingleOutputStreamOperator<Inspection> marked = judged.keyBy(Inspection::batchKey)
        .process(new MarkNearDuplicates(policies, config.get(SafetyJobOptions.NEAR_DUPLICATE_TTL), maxRerenders))
        .name("near-duplicates").uid("near-duplicates");
    DataStream<Published> published = AsyncDataStream.unorderedWait(marked, new PublishFunction(config, policies),
            timeout, TimeUnit.MILLISECONDS, capacity)
        .name("publish").uid("publish");
    GalleryFunction.attach(published, config);
    DataStream<RenderResult> results = published.map(Published::result).returns(RenderResult.class)
        .name("results").uid("results");
    return new Outputs(results, images.getSideOutput(DecodeImages.DEAD_LETTERS),
        marked.getSideOutput(MarkNearDuplicates.RERENDERS));
  }

  /** Runs the job on Kafka; settings come from {@code -Dkey=value} arguments. */
  public static void main(String[] args) throws Exception {
    Configuration config = JobArgs.parse(args);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
    onKafka(config).attach(env);
    env.execute("kiln-safety");
  }
}
