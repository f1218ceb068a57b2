package dev.kiln.render.job;

import dev.kiln.schemas.Topics;
import dev.kiln.wire.KilnOptions;
import dev.kiln.schemas.DeadLetter;
import dev.kiln.schemas.KafkaEndpoint;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.TrustedPackages;
import dev.kiln.wire.JobArgs;
import dev.kiln.wire.KafkaWire;
import dev.kiln.wire.RawRecord;
import java.nio.file.Path;
import java.util.Set;
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
 * The render job: kiln.requests -> decode and validate -> drop seen ids -> prompt policy -> batched diffusion ->
 * PNG under staging/ -> kiln.images. Dead letters go to kiln.requests.dlq; prompt rejections and
 * render failures go straight to kiln.results, since no image exists for the safety job to judge.
 *
 * <p>kiln.rerenders holds near-duplicates the safety job sends back (the request set
 * rerenderNearDuplicates): {@link DecodeRerenders} turns each into a task with its attempt and new
 * seed, which joins the other tasks before rendering. Re-render tasks skip the dedupe step (their
 * request id was accepted already; they would be dropped) and the prompt screen: the prompt is the
 * one screened when the request was accepted, and a prompt rejection here would answer for every
 * image of the request rather than the one being re-rendered. The prompt policy is not skipped in
 * effect: the safety job checks every image's prompt against it again.
 */
public final class RenderJob {
  private final Configuration config;
  private final Source<RawRecord, ?, ?> source;
  private final Source<RawRecord, ?, ?> rerenderSource;
  private final Sink<RenderedImage> imageSink;
  private final Sink<RenderResult> resultSink;
  private final Sink<DeadLetter> deadLetterSink;

  /** The streams the pipeline body produces, for a caller to attach sinks to. */
  public record Outputs(DataStream<RenderedImage> images, DataStream<RenderResult> results,
      DataStream<DeadLetter> deadLetters) {}

  /**
   * @param source raw kiln.requests records
   * @param rerenderSource raw kiln.rerenders records (re-render requests from the safety job)
   */
  public RenderJob(Configuration config, Source<RawRecord, ?, ?> source, Source<RawRecord, ?, ?> rerenderSource,
      Sink<RenderedImage> imageSink, Sink<RenderResult> resultSink, Sink<DeadLetter> deadLetterSink) {
    this.config = config;
    this.source = source;
    this.rerenderSource = rerenderSource;
    this.imageSink = imageSink;
    this.resultSink = resultSink;
    this.deadLetterSink = deadLetterSink;
  }

  /** The job on Kafka, with topics and servers from {@code config}. */
  public static RenderJob onKafka(Configuration config) {
    KafkaEndpoint kafka = KafkaWire.endpoint(config);
    String group = config.get(RenderJobOptions.GROUP_ID);
    return new RenderJob(config,
        KafkaWire.rawSource(kafka, config.get(KilnOptions.REQUESTS_TOPIC), group),
        KafkaWire.rawSource(kafka, config.get(KilnOptions.RERENDERS_TOPIC), group + "-rerenders"),
        KafkaWire.imageSink(kafka, config.get(KilnOptions.IMAGES_TOPIC), group + "-images"),
        KafkaWire.resultSink(kafka, config.get(KilnOptions.RESULTS_TOPIC), group + "-results"),
        KafkaWire.deadLetterSink(kafka, config.get(KilnOptions.DEAD_LETTER_TOPIC), group + "-dlq"));
  }

  /** Adds the job, with checkpointing, to {@code env}. */
  public void attach(StreamExecutionEnvironment env) {
    TrustedPackages.ensure();
    env.enableCheckpointing(config.get(KilnOptions.CHECKPOINT_INTERVAL).toMillis(), CheckpointingMode.EXACTLY_ONCE);
    DataStream<RawRecord> raw = env.fromSource(source, WatermarkStrategy.noWatermarks(), Topics.REQUESTS)
        .uid("requests-source");
    DataStream<RawRecord> rerenders = env.fromSource(rerenderSource, WatermarkStrategy.noWatermarks(),
        Topics.RERENDERS).uid("rerenders-source");
    Outputs out = build(raw, rerenders, config);
    out.images().sinkTo(imageSink).name(Topics.IMAGES).uid("images-sink");
    out.results().sinkTo(resultSink).name(Topics.RESULTS).uid("results-sink");
    out.deadLetters().sinkTo(deadLetterSink).name(Topics.DEAD_LETTERS).uid("dlq-sink");
  }

  /**
   * The pipeline body, stream to stream, so tests can attach their own sources and sinks; without
   * re-render requests.
   */
  public static Outputs build(DataStream<RawRecord> raw, Configuration config) {
    return build(raw, null, config);
  }

  /**
   * The pipeline body with kiln.rerenders records as a second input.
   *
   * @param rerenders raw re-render records, or {@code null} for a job that takes none
   */
  public static Outputs build(DataStream<RawRecord> raw, DataStream<RawRecord> rerenders, Configuration config) {
    // Fail the submission, not every task start, on a bad thread or compression setting.
    RenderJobOptions.concurrentBatches(config, false, 1);
    RenderJobOptions.pngCompression(config);
    Set<String> models = ModelRegistry.available(Path.of(config.get(KilnOptions.MODELS_DIR)));
    SingleOutputStreamOperator<RenderRequest> decoded = raw
        .process(new DecodeRequests(models)).name("decode+validate").uid("decode");
    DataStream<RenderRequest> fresh = decoded.keyBy(DedupeRequests::key)
        .process(new DedupeRequests(config.get(RenderJobOptions.DEDUPE_TTL))).name("drop seen request ids")
        .uid("dedupe");
    SingleOutputStreamOperator<RenderRequest> allowed = fresh
        .process(new PromptScreen(config.get(KilnOptions.PROMPT_POLICY_FILE))).name("prompt policy")
        .uid("prompt-policy");
    DataStream<ImageTask> tasks = allowed.flatMap(new ExpandImages()).name("expand images").uid("expand");
    DataStream<DeadLetter> deadLetters = decoded.getSideOutput(DecodeRequests.DEAD_LETTERS);
    if (rerenders != null) {
      SingleOutputStreamOperator<ImageTask> again = rerenders
          .process(new DecodeRerenders(models)).name("decode re-renders").uid("decode-rerenders");
      tasks = tasks.union(again);
      deadLetters = deadLetters.union(again.getSideOutput(DecodeRerenders.DEAD_LETTERS));
    }
    // RenderFunction times each image from the start of its batch; the operator's timeout only bounds
    // the queue wait as well, so a deep backlog (the capacity) waits without failing.
    SingleOutputStreamOperator<RenderOutcome> rendered = AsyncDataStream.unorderedWait(tasks,
            new RenderFunction(config), RenderJobOptions.operatorTimeout(config).toMillis(), TimeUnit.MILLISECONDS,
            RenderJobOptions.asyncCapacity(config))
        .name("render").uid("render")
        .setParallelism(config.get(RenderJobOptions.RENDER_PARALLELISM));
    String group = config.get(RenderJobOptions.SLOT_SHARING_GROUP);
    if (!group.isBlank()) {
      rendered.slotSharingGroup(group);
    }
    SingleOutputStreamOperator<RenderedImage> images = rendered
        .process(new SplitOutcomes()).name("split outcomes").uid("split");
    DataStream<RenderResult> results = allowed.getSideOutput(PromptScreen.REJECTED)
        .union(images.getSideOutput(SplitOutcomes.FAILED));
    return new Outputs(images, results, deadLetters);
  }

  /** Runs the job on Kafka; settings come from {@code -Dkey=value} arguments (see RenderJobOptions, StorageOptions). */
  public static void main(String[] args) throws Exception {
    Configuration config = JobArgs.parse(args);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
    onKafka(config).attach(env);
    env.execute("kiln-render");
  }
}
