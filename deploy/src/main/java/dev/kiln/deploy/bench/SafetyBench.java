package dev.kiln.deploy.bench;

import dev.kiln.schemas.Topics;
import dev.kiln.wire.KilnOptions;
import dev.kiln.deploy.flink.KilnCluster;
import dev.kiln.render.engine.DiffusionEngine;
import dev.kiln.render.engine.GeneratedImage;
import dev.kiln.render.engine.GenerationRequest;
import dev.kiln.safety.classifier.NsfwClassifier;
import dev.kiln.safety.job.SafetyJobOptions;
import dev.kiln.safety.pdq.PdqHasher;
import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.GenerationParams;
import dev.kiln.schemas.InvalidRecordException;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.storage.Checksums;
import dev.kiln.storage.ObjectKeys;
import dev.kiln.storage.ObjectStore;
import dev.kiln.storage.S3Clients;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageInputStream;
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
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Prints the safety job's images/s divided by the NSFW classifier's own images/s in a tight loop,
 * on the same images, in one run. The job's figure covers fetching the staged PNG, the sha256 and
 * PNG checks, the prompt policy, the classifier, the PDQ hash, near-duplicate marking and moving the
 * image with its sidecar, from the moment the references are published to the last result's
 * completedAt (so the checkpoint that commits results is not counted). The classifier and the job
 * take turns over several runs; the median ratio is the figure.
 *
 * <p>It also prints CPU per image: the whole bench JVM's CPU while the job moderates a run (the
 * broker and the S3 server run in their own processes, {@link ServiceStack}, so their CPU is not
 * counted), against the same JVM's CPU while one thread does the same moderation work in a tight
 * loop: PNG decode, sha256, the classifier and the PDQ hash. The goal is a ratio of at most 1.2.
 * {@code --size} sets the images' side (kiln-tiny renders them at that size; {@code --steps} keeps
 * that quick).
 */
public final class SafetyBench {
  private SafetyBench() {}

  public static void main(String[] args) throws Exception {
    int images = 600;
    int workers = SafetyJobOptions.WORKERS.defaultValue();
    int runs = 3;
    int threads = SafetyJobOptions.CLASSIFIER_THREADS.defaultValue();
    int warmupRuns = -1;
    int size = 64;
    int steps = 20;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--images" -> images = Integer.parseInt(args[i + 1]);
        case "--workers" -> workers = Integer.parseInt(args[i + 1]);
        case "--runs" -> runs = Integer.parseInt(args[i + 1]);
        case "--classifier-threads" -> threads = Integer.parseInt(args[i + 1]);
        case "--warmup-runs" -> warmupRuns = Integer.parseInt(args[i + 1]);
        case "--size" -> size = Integer.parseInt(args[i + 1]);
        case "--steps" -> steps = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; allowed: --images N, --workers N, --runs N, --classifier-threads N, --warmup-runs N,"
            + " --size N (default 64), --steps N (default 20)");
      }
    }
    // Enough runs for 15,000 images: HotSpot compiles a method with C2 only after 5,000 to 15,000 calls,
    // and much of the job's Java code runs once per image. After 4,800 images, C2 was still compiling
    // during the measured runs.
    warmupRuns = warmupRuns < 0 ? (15_000 + images - 1) / images : warmupRuns;
    Path models = Path.of(System.getProperty("kiln.repo.dir", ".")).resolve("models");
    PipelineBench.Shape shape = new PipelineBench.Shape(size, steps);
    List<byte[]> pngs = render(models, images, shape);
    List<BufferedImage> decoded = new ArrayList<>();
    for (byte[] png : pngs) {
      decoded.add(ImageIO.read(new ByteArrayInputStream(png)));
    }
    List<Double> ratios = new ArrayList<>();
    List<Double> parallelRatios = new ArrayList<>();
    List<Double> cpuRatios = new ArrayList<>();
    List<Double> loopCpuMs = new ArrayList<>();
    List<Double> jobCpuMs = new ArrayList<>();
    Path dir = Files.createTempDirectory("kiln-safety-bench");
    try (NsfwClassifier classifier = NsfwClassifier.load(models.resolve(NsfwClassifier.MODEL_PATH), threads);
         ServiceStack stack = ServiceStack.start(dir); KilnCluster cluster = KilnCluster.start(2);
         S3Client s3 = S3Clients.create(stack.s3Settings()); Feed feed = new Feed(stack.bootstrapServers())) {
      Configuration config = stack.jobConfig(models);
      // The jobs' own default (5 s), not kiln local's 1 s: this measures throughput, not how soon results show.
      config.set(KilnOptions.CHECKPOINT_INTERVAL, KilnOptions.CHECKPOINT_INTERVAL.defaultValue());
      config.set(SafetyJobOptions.WORKERS, workers);
      config.set(SafetyJobOptions.CLASSIFIER_THREADS, threads);
      config.set(SafetyJobOptions.ASYNC_CAPACITY, Math.max(16, 4 * workers));
      JobID safety = cluster.submitSafetyJob(config);
      cluster.awaitRunning(safety, Duration.ofMinutes(2));
      ObjectStore store = new ObjectStore(s3, stack.bucket());
      // Warm-up: the job's Java paths (AWS SDK, S3Proxy, Kafka, Flink) for the JIT; the classifier loops,
      // native code around a thin Java loop, in the last two runs.
      for (int w = 1; w <= warmupRuns; w++) {
        String warmupBatch = "warmup-" + w;
        List<RenderedImage> warmup = stage(store, stack.bucket(), warmupBatch, pngs, shape);
        feed.skipToEnd();
        feed.publish(warmup);
        feed.awaitLastCompleted(warmupBatch, warmup.size());
        if (w > warmupRuns - 2) {
          moderationLoop(classifier, pngs);
          classifierAlone(classifier, decoded);
          classifierParallel(classifier, decoded, workers);
        }
      }
      // Classifier and job take turns, so a change in the machine's speed during the bench hits both.
      for (int run = 1; run <= runs; run++) {
        List<RenderedImage> measured = stage(store, stack.bucket(), "measured-" + run, pngs, shape);
        ThreadCpu m0 = ThreadCpu.snapshot();
        moderationLoop(classifier, pngs);
        ThreadCpu m1 = ThreadCpu.snapshot();
        ThreadCpu t0 = ThreadCpu.snapshot();
        double classifierRate = classifierAlone(classifier, decoded);
        ThreadCpu t1 = ThreadCpu.snapshot();
        double parallelRate = classifierParallel(classifier, decoded, workers);
        feed.skipToEnd();
        Instant published = Instant.now();
        ThreadCpu t2 = ThreadCpu.snapshot();
        feed.publish(measured);
        Instant last = feed.awaitLastCompleted("measured-" + run, measured.size());
        ThreadCpu t3 = ThreadCpu.snapshot();
        double loopCpu = 1000 * m1.totalSince(m0) / images;
        double jobCpu = 1000 * t3.totalSince(t2) / images;
        loopCpuMs.add(loopCpu);
        jobCpuMs.add(jobCpu);
        cpuRatios.add(jobCpu / loopCpu);
        System.out.printf("run %d: CPU per image, whole bench JVM: safety job %.2f ms, moderation loop %.2f ms,"
            + " ratio %.3f%n", run, jobCpu, loopCpu, jobCpu / loopCpu);
        double jobRate = images / (Duration.between(published, last).toNanos() / 1e9);
        ratios.add(jobRate / classifierRate);
        parallelRatios.add(jobRate / parallelRate);
        System.out.printf("run %d: classifier alone %.1f images/s (%d loops in parallel: %.1f), safety job %.1f"
            + " images/s, ratio %.3f (to the parallel loops: %.3f)%n", run, classifierRate, workers, parallelRate,
            jobRate, jobRate / classifierRate, jobRate / parallelRate);
        if (run == runs) {
          ThreadCpu.print("moderation loop (decode, sha256, classifier, PDQ), CPU by thread", m0, m1, images);
          ThreadCpu.print("classifier alone, CPU by thread", t0, t1, images);
          ThreadCpu.print("safety job, CPU by thread (whole process, while the batch ran)", t2, t3, images);
        }
      }
      cluster.cancel(safety);
    }
    System.out.printf("setup: %d kiln-tiny images (%dx%d PNGs, %d steps, %.0f KB on average) per run, %d workers,"
        + " %s classifier intra-op threads, checkpoints every " + KilnOptions.CHECKPOINT_INTERVAL.defaultValue().toSeconds()
        + " s; broker and S3 server in their own processes; the job's figure runs from publish to the last result's"
        + " completedAt%n", images, size, size, steps, pngs.stream().mapToInt(p -> p.length).average().orElse(0) / 1024,
        workers, threads == 0 ? "default" : Integer.toString(threads));
    System.out.printf("CPU per image, whole bench JVM: safety job median %.2f ms, moderation loop median %.2f ms%n",
        LatencyBench.median(jobCpuMs), LatencyBench.median(loopCpuMs));
    PipelineBench.printMedian("CPU ratio (safety job / moderation loop; goal <= 1.2)", cpuRatios);
    PipelineBench.printMedian("ratio (safety job / classifier alone in a tight loop)", ratios);
    PipelineBench.printMedian(
        "ratio (safety job / " + workers + " classifier loops in parallel, the job's worker count)",
        parallelRatios);
  }

  /**
   * The moderation work alone, one thread, a tight loop: PNG decode, sha256, classifier, PDQ hash.
   * It decodes in memory, as the job does (ImageIO.read of a stream would first copy it to a file).
   */
  static void moderationLoop(NsfwClassifier classifier, List<byte[]> pngs) throws java.io.IOException {
    for (byte[] png : pngs) {
      Checksums.sha256Hex(png);
      BufferedImage image = ImageIO.read(new MemoryCacheImageInputStream(new ByteArrayInputStream(png)));
      classifier.classify(image);
      PdqHasher.hash(image);
    }
  }

  /** The classifier in a tight loop over decoded images; images/s. */
  static double classifierAlone(NsfwClassifier classifier, List<BufferedImage> images) {
    long t0 = System.nanoTime();
    for (BufferedImage image : images) {
      classifier.classify(image);
    }
    return images.size() / ((System.nanoTime() - t0) / 1e9);
  }

  /** The classifier in {@code loops} threads at once, each in a tight loop over its share; images/s. */
  static double classifierParallel(NsfwClassifier classifier, List<BufferedImage> images, int loops)
      throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int l = 0; l < loops; l++) {
      List<BufferedImage> share = new ArrayList<>();
      for (int i = l; i < images.size(); i += loops) {
        share.add(images.get(i));
      }
      Thread t = new Thread(() -> share.forEach(classifier::classify), "classifier-loop-" + l);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    return images.size() / ((System.nanoTime() - t0) / 1e9);
  }

  /** Distinct real images from kiln-tiny, so the job sees what it sees in production. */
  static List<byte[]> render(Path models, int n, PipelineBench.Shape shape) {
    List<byte[]> out = new ArrayList<>();
    // ONNX Runtime's arena keeps a batch's peak activations: batches of 8 at 512x512 took the JVM to 19 GB.
    int perBatch = shape.size() >= 256 ? 2 : 8;
    try (DiffusionEngine engine = DiffusionEngine.load(models.resolve("kiln-tiny"))) {
      for (int done = 0; done < n; done += perBatch) {
        List<GenerationRequest> batch = new ArrayList<>();
        for (int i = done; i < Math.min(n, done + perBatch); i++) {
          batch.add(new GenerationRequest(PipelineBench.prompt(i), "", shape.size(), shape.size(), shape.steps(),
              3f, i));
        }
        for (GeneratedImage image : engine.generate(batch)) {
          out.add(image.toPng());
        }
      }
    }
    return out;
  }

  static List<RenderedImage> stage(ObjectStore store, String bucket, String batch, List<byte[]> pngs,
      PipelineBench.Shape shape) throws Exception {
    List<RenderedImage> refs = new ArrayList<>();
    for (int i = 0; i < pngs.size(); i++) {
      byte[] png = pngs.get(i);
      String imageId = batch + "-" + i + "-0";
      String key = ObjectKeys.staging("bench", batch, imageId);
      store.putBytes(key, png, "image/png", Map.of());
      refs.add(RenderedImage.newBuilder()
          .setImageId(imageId).setRequestId(batch + "-" + i).setTenant("bench").setBatchId(batch)
          .setImageIndex(0).setImageCount(1).setBucket(bucket).setStagingKey(key)
          .setSha256(Checksums.sha256Hex(png))
          .setByteSize(png.length)
          .setParams(GenerationParams.newBuilder().setModel("kiln-tiny").setPrompt(PipelineBench.prompt(i))
              .setWidth(shape.size()).setHeight(shape.size()).setSteps(shape.steps()).setGuidanceScale(3f).setSeed(i).build())
          .setSubmittedAt(Instant.now()).setRenderedAt(Instant.now()).setRenderMillis(0).build());
    }
    return refs;
  }

  /**
   * The bench's own Kafka clients, made once: the job's CPU is read while they work, so a producer
   * made for every run, or a consumer reading the results topic from its start (every earlier run's
   * results again), would count as the job's.
   */
  static final class Feed implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> results;
    private final List<TopicPartition> partitions;

    Feed(String bootstrapServers) {
      producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
      results = new KafkaConsumer<>(Map.of(
          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
          ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
          ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
          ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
      partitions = results.partitionsFor(Topics.RESULTS).stream()
          .map(p -> new TopicPartition(Topics.RESULTS, p.partition())).toList();
      results.assign(partitions);
    }

    /** Reads results from here on: call before publishing a run's images. */
    void skipToEnd() {
      results.seekToEnd(partitions);
      partitions.forEach(results::position);
    }

    void publish(List<RenderedImage> refs) {
      for (RenderedImage r : refs) {
        producer.send(new ProducerRecord<>(Topics.IMAGES, r.getImageId().getBytes(StandardCharsets.UTF_8),
            Codecs.IMAGE.encode(r)));
      }
      producer.flush();
    }

    /** The latest completedAt of {@code n} committed results of {@code batch}, read since {@link #skipToEnd}. */
    Instant awaitLastCompleted(String batch, int n) throws InvalidRecordException {
      Instant last = Instant.MIN;
      int seen = 0;
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (seen < n) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("only " + seen + " of " + n + " results of " + batch + " in 10 minutes");
        }
        for (var record : results.poll(Duration.ofMillis(500))) {
          RenderResult result = Codecs.RESULT.decode(record.value());
          if (result.getBatchId().equals(batch)) {
            seen++;
            last = result.getCompletedAt().isAfter(last) ? result.getCompletedAt() : last;
          }
        }
      }
      return last;
    }

    @Override
    public void close() {
      producer.close();
      results.close();
    }
  }
}
