package dev.kiln.deploy.bench;

import dev.kiln.schemas.Topics;
import dev.kiln.wire.KilnOptions;
import dev.kiln.deploy.flink.KilnCluster;
import dev.kiln.render.engine.DiffusionEngine;
import dev.kiln.render.engine.EngineOptions;
import dev.kiln.render.engine.GenerationRequest;
import dev.kiln.render.job.RenderJobOptions;
import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.InvalidRecordException;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Prints the render job's images/s divided by the engine's own images/s in a tight loop, with
 * the same model, size, steps, guidance and batch size, measured in one run on one machine.
 * The broker and the S3 server run in their own processes ({@link ServiceStack}), as in production.
 * The render job runs alone on the cluster; its figure covers decode, dedupe, policy, batching,
 * rendering, PNG encoding and the staging write. Its clock runs from the start of its first batch
 * (an image's renderedAt minus its batch's renderMillis) to the last image staged, as the engine's
 * runs from its first batch to its last; the figure from publish to the last image staged, which
 * adds Kafka delivery and the first batch's wait, is printed beside it. Engine and job take turns
 * over several runs, after a warm-up each, and the median ratio is the figure. The job's warm-up
 * (default 15,000 images) is sized for the JIT: HotSpot compiles a method with C2 only after 5,000
 * to 15,000 calls (Tier4InvocationThreshold, Tier4CompileThreshold), and most of the job's Java
 * code runs once or a few times per image.
 */
public final class PipelineBench {
  private static final String[] COLOURS = {"red", "orange", "yellow", "green", "blue", "purple", "white", "black"};
  private static final String[] SHAPES = {"circle", "square", "triangle"};

  private PipelineBench() {}

  public static void main(String[] args) throws Exception {
    // Runs of 480 images took about 5 s, one checkpoint interval, and their ratios spread from 0.86 to
    // 0.92 in one bench. A run of 1,920 spans about four checkpoints, and spreads the C2 compiling that
    // follows each turn of the engine over more images. Bulk batches are thousands of images anyway.
    int images = 1920;
    int batch = 8;
    int runs = 3;
    int warmup = -1;
    int threads = RenderJobOptions.ENGINE_THREADS.defaultValue();
    int concurrent = RenderJobOptions.CONCURRENT_BATCHES.defaultValue();
    int size = 64;
    int steps = 20;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--images" -> images = Integer.parseInt(args[i + 1]);
        case "--batch" -> batch = Integer.parseInt(args[i + 1]);
        case "--runs" -> runs = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--engine-threads" -> threads = Integer.parseInt(args[i + 1]);
        case "--concurrent-batches" -> concurrent = Integer.parseInt(args[i + 1]);
        case "--size" -> size = Integer.parseInt(args[i + 1]);
        case "--steps" -> steps = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; allowed: --images N, --batch N, --runs N, --warmup N, --engine-threads N, --concurrent-batches N,"
            + " --size N (square side, default 64), --steps N (default 20)");
      }
    }
    Configuration engineConfig = new Configuration();
    engineConfig.set(RenderJobOptions.ENGINE_THREADS, threads);
    engineConfig.set(RenderJobOptions.CONCURRENT_BATCHES, concurrent);
    // The job's own rule, on the same machine: what the render job will run, the engine alone runs too.
    int loops = RenderJobOptions.concurrentBatches(engineConfig, false, Runtime.getRuntime().availableProcessors());
    Path models = Path.of(System.getProperty("kiln.repo.dir", ".")).resolve("models");
    EngineOptions.Builder engineOptions = EngineOptions.builder().setModelDir(models.resolve("kiln-tiny"));
    if (threads > 0) {
      engineOptions.optIntraOpThreads(threads);
    }
    warmup = warmup < 0 ? 15_000 : warmup;
    Shape shape = new Shape(size, steps);
    // The engine's Java code is a loop around native calls; two runs' worth warms its arenas and caches.
    int engineWarmup = 2 * images;
    Path dir = Files.createTempDirectory("kiln-bench");
    // Threads that live through the whole bench, so that the CPU breakdown below sees them.
    ExecutorService pool = Executors.newFixedThreadPool(loops, r -> new Thread(r, "engine-loop"));
    List<Double> ratios = new ArrayList<>();
    List<Double> oneLoopRatios = new ArrayList<>();
    try (ServiceStack stack = ServiceStack.start(dir); KilnCluster cluster = KilnCluster.start(4);
         DiffusionEngine engine = DiffusionEngine.load(engineOptions.build())) {
      Configuration config = stack.jobConfig(models);
      // The jobs' own default (5 s), not kiln local's 1 s: this measures throughput, not how soon results show.
      config.set(KilnOptions.CHECKPOINT_INTERVAL, KilnOptions.CHECKPOINT_INTERVAL.defaultValue());
      config.set(RenderJobOptions.BATCH_SIZE, batch);
      config.set(RenderJobOptions.ENGINE_THREADS, threads);
      config.set(RenderJobOptions.CONCURRENT_BATCHES, loops);
      // The render job alone, as the engine runs alone: the safety job would share the same two cores.
      JobID render = cluster.submitRenderJob(config);
      cluster.awaitRunning(render, Duration.ofMinutes(2));
      // Warm-up: loads the model in the task manager and lets the JIT compile the job's Java paths (AWS SDK,
      // S3Proxy, Flink, Kafka). After 4,800 images, C2 was still compiling methods called once per image (the
      // SDK's request handler, Jetty's connection handler) at 1-2.8 CPU ms an image during the measured runs.
      publish(stack.bootstrapServers(), "warmup", warmup, shape);
      awaitStaged(stack.bootstrapServers(), "warmup", warmup);
      engineAlone(engine, pool, engineWarmup, batch, loops, 0, shape);
      // Engine and job take turns, so a change in the machine's speed during the bench hits both.
      for (int run = 1; run <= runs; run++) {
        ThreadCpu t0 = ThreadCpu.snapshot();
        double engineRate = engineAlone(engine, pool, images, batch, loops, 1000 * run, shape);
        ThreadCpu t1 = ThreadCpu.snapshot();
        // For comparison with a plain script: one loop, one batch after another.
        double oneLoopRate = loops == 1 ? engineRate : engineAlone(engine, pool, images, batch, 1, 1000 * run, shape);
        t1 = loops == 1 ? t1 : ThreadCpu.snapshot();
        String batchId = "measured-" + run;
        Instant published = Instant.now();
        publish(stack.bootstrapServers(), batchId, images, shape);
        List<RenderedImage> staged = awaitAll(stack.bootstrapServers(), Topics.IMAGES, Codecs.IMAGE, images,
            image -> image.getBatchId().equals(batchId));
        ThreadCpu t2 = ThreadCpu.snapshot();
        Instant lastStaged = staged.stream().map(RenderedImage::getRenderedAt).max(Instant::compareTo).orElseThrow();
        // When the model started on the job's first batch: the engine loop's clock starts there too.
        Instant firstBatch = staged.stream()
            .map(i -> i.getRenderedAt().minusMillis(i.getRenderMillis()))
            .min(Instant::compareTo).orElseThrow();
        double jobRate = images / (Duration.between(firstBatch, lastStaged).toNanos() / 1e9);
        double endToEnd = images / (Duration.between(published, lastStaged).toNanos() / 1e9);
        ratios.add(jobRate / engineRate);
        oneLoopRatios.add(jobRate / oneLoopRate);
        System.out.printf("run %d: engine alone %.2f images/s, render job %.2f images/s, ratio %.3f"
            + " (publish -> last staged: %.2f images/s, ratio %.3f; engine in one loop %.2f images/s, job / that"
            + " %.3f)%n", run, engineRate, jobRate, jobRate / engineRate, endToEnd, endToEnd / engineRate,
            oneLoopRate, jobRate / oneLoopRate);
        if (run == runs) {
          ThreadCpu.print("engine alone, CPU by thread" + (loops == 1 ? "" : " (both loop settings)"), t0, t1,
              loops == 1 ? images : 2 * images);
          ThreadCpu.print("render job, CPU by thread (whole process, while the batch ran)", t1, t2, images);
        }
      }
      cluster.cancel(render);
    } finally {
      pool.shutdownNow();
    }
    System.out.printf("setup: kiln-tiny, batch %d, %d images per run, %dx%d, %d steps, guidance 3, %d batch(es) at"
        + " a time with %s ONNX Runtime threads each, in the job and in the engine loop alike; broker and S3 server"
        + " in their own processes; checkpoints every "
        + KilnOptions.CHECKPOINT_INTERVAL.defaultValue().toSeconds() + " s;"
        + " the job's figure runs"
        + " from the start of its first batch to the last image staged, as the engine's runs from its first batch to"
        + " its last%n", batch, images, size, size, steps, loops, threads == 0 ? "default" : Integer.toString(threads));
    if (loops > 1) {
      printMedian("render job / the engine in one loop (a plain script's way, for comparison)", oneLoopRatios);
    }
    printMedian("ratio (render job / engine alone, " + loops + " loop(s) as the job runs batches)", ratios);
  }

  /** Prints the median, min and max of {@code ratios}, one line, after {@code what}. */
  static void printMedian(String what, List<Double> ratios) {
    List<Double> sorted = ratios.stream().sorted().toList();
    System.out.printf("%s: median %.3f of %d runs, min %.3f, max %.3f%n", what, sorted.get(sorted.size() / 2),
        sorted.size(), sorted.get(0), sorted.get(sorted.size() - 1));
  }

  /** The side of the square images and the denoising steps the bench asks for, in the job and the loop alike. */
  record Shape(int size, int steps) {}

  static String prompt(int i) {
    return "a " + (i % 2 == 0 ? "large " : "small ") + COLOURS[i % 8] + " " + SHAPES[i % 3] + " on a "
        + COLOURS[(i + 3) % 8] + " background";
  }

  /**
   * The engine in tight loops: {@code images} images in batches of {@code batch}, dealt round robin
   * to {@code loops} threads of {@code pool} that each run their batches back to back; images/s.
   */
  static double engineAlone(DiffusionEngine engine, ExecutorService pool, int images, int batch, int loops,
      int seedBase, Shape shape) throws InterruptedException, ExecutionException {
    List<List<GenerationRequest>> batches = new ArrayList<>();
    for (int done = 0; done < images; done += batch) {
      List<GenerationRequest> b = new ArrayList<>();
      for (int i = done; i < Math.min(images, done + batch); i++) {
        b.add(new GenerationRequest(prompt(i), "", shape.size(), shape.size(), shape.steps(), 3f, seedBase + i));
      }
      batches.add(b);
    }
    List<Future<?>> running = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int l = 0; l < loops; l++) {
      int first = l;
      running.add(pool.submit(() -> {
        for (int k = first; k < batches.size(); k += loops) {
          engine.generate(batches.get(k));
        }
      }));
    }
    for (Future<?> f : running) {
      f.get();
    }
    return images / ((System.nanoTime() - t0) / 1e9);
  }

  static void publish(String bootstrapServers, String batchId, int n, Shape shape) throws Exception {
    try (var producer = new KafkaProducer<byte[], byte[]>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
      for (int i = 0; i < n; i++) {
        RenderRequest r = RenderRequest.newBuilder().setRequestId(batchId + "-" + i).setTenant("bench")
            .setBatchId(batchId).setPrompt(prompt(i)).setSeed((long) i).setWidth(shape.size()).setHeight(shape.size())
            .setSteps(shape.steps()).setSubmittedAt(Instant.now()).build();
        producer.send(new ProducerRecord<>(Topics.REQUESTS,
            r.getRequestId().getBytes(StandardCharsets.UTF_8), Codecs.REQUEST.encode(r)));
      }
      producer.flush();
    }
  }

  /** The renderedAt of the last of the batch's images, read from kiln.images. */
  static Instant awaitStaged(String bootstrapServers, String batchId, int n) throws InvalidRecordException {
    return awaitLatest(bootstrapServers, Topics.IMAGES, Codecs.IMAGE, n,
        image -> image.getBatchId().equals(batchId), RenderedImage::getRenderedAt);
  }

  /**
   * Reads {@code topic} from the beginning (committed records only) until {@code n} records match,
   * and returns the latest of their times.
   */
  static <T> Instant awaitLatest(String bootstrapServers, String topic, Codecs.Codec<T> codec, int n, Predicate<T> matches,
      Function<T, Instant> time) throws InvalidRecordException {
    return awaitAll(bootstrapServers, topic, codec, n, matches).stream().map(time).max(Instant::compareTo).orElseThrow();
  }

  /**
   * Reads {@code topic} from the beginning (committed records only) until {@code n} records match,
   * and returns them.
   */
  static <T> List<T> awaitAll(String bootstrapServers, String topic, Codecs.Codec<T> codec, int n, Predicate<T> matches)
      throws InvalidRecordException {
    List<T> found = new ArrayList<>();
    int seen = 0;
    try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (seen < n && System.nanoTime() < deadline) {
        for (var record : consumer.poll(Duration.ofMillis(500))) {
          T value = codec.decode(record.value());
          if (matches.test(value)) {
            seen++;
            found.add(value);
          }
        }
      }
    }
    if (seen < n) {
      throw new IllegalStateException("only " + seen + " of " + n + " records on " + topic + " in 10 minutes");
    }
    return found;
  }
}
