package dev.kiln.deploy.bench;

import dev.kiln.deploy.flink.KilnCluster;
import dev.kiln.deploy.flink.StackConfig;
import dev.kiln.deploy.local.LocalStack;
import dev.kiln.render.job.RenderJobOptions;
import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Two tenants on the render job (issue 14, finding 3): tenant A queues a backlog of bulk images at
 * once, then tenant B submits one image every interval. Prints B's wait, p50 and p99, measured
 * from B's submittedAt (set when the bench publishes it) to its image staged (renderedAt on
 * kiln.images), that is without the Kafka transaction commit that follows at the next checkpoint;
 * beside it B's queue wait inside the batching engine (queueMillis). And A's throughput, from the
 * start of A's first measured batch to A's last image staged. With {@code --fifo}, the same run
 * again on the order before fair share: the engine first in, first out and 32 images in flight
 * (the old kiln.render.async-capacity), each mode on its own stack and cluster.
 */
public final class FairnessBench {
  private FairnessBench() {}

  /** One mode's figures. */
  record Figures(String mode, List<Long> bWaitMillis, List<Long> bQueueMillis, double aImagesPerSecond) {}

  public static void main(String[] args) throws Exception {
    int backlog = 2000;
    int requests = 20;
    long intervalMillis = 1000;
    int warmup = 400;
    boolean fifo = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--backlog" -> backlog = Integer.parseInt(args[++i]);
        case "--requests" -> requests = Integer.parseInt(args[++i]);
        case "--interval-ms" -> intervalMillis = Long.parseLong(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--fifo" -> fifo = true;
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; allowed: --backlog N, --requests N, --interval-ms N, --warmup N, --fifo");
      }
    }
    List<Figures> figures = new ArrayList<>();
    figures.add(run("fair share", true, backlog, requests, intervalMillis, warmup));
    if (fifo) {
      figures.add(run("first in, first out, capacity 32", false, backlog, requests, intervalMillis, warmup));
    }
    System.out.printf("setup: kiln-tiny, 64x64, 20 steps, batch %d; tenant A: %d bulk images at once; tenant B: %d"
        + " images, one every %d ms from when A's backlog is published; B's wait: submit to image staged%n",
        RenderJobOptions.BATCH_SIZE.defaultValue(), backlog, requests, intervalMillis);
    for (Figures f : figures) {
      System.out.printf("%-34s B wait p50 %6d ms, p99 %6d ms, max %6d ms | B queue in engine p50 %6d ms, p99 %6d ms"
          + " | A %.1f images/s%n", f.mode(), percentile(f.bWaitMillis(), 50), percentile(f.bWaitMillis(), 99),
          percentile(f.bWaitMillis(), 100), percentile(f.bQueueMillis(), 50), percentile(f.bQueueMillis(), 99),
          f.aImagesPerSecond());
    }
  }

  static Figures run(String mode, boolean fair, int backlog, int requests, long intervalMillis, int warmup)
      throws Exception {
    Path dir = Files.createTempDirectory("kiln-fairness");
    Path models = Path.of(System.getProperty("kiln.repo.dir", ".")).resolve("models");
    try (LocalStack stack = LocalStack.start(dir); KilnCluster cluster = KilnCluster.start(4)) {
      Configuration config = StackConfig.of(stack, models);
      config.set(RenderJobOptions.FAIR_SHARE, fair);
      if (!fair) {
        config.set(RenderJobOptions.ASYNC_CAPACITY, 32);
      }
      JobID render = cluster.submitRenderJob(config);
      cluster.awaitRunning(render, Duration.ofMinutes(2));
      try (var producer = producer(stack)) {
        // Loads the model and warms the JIT; not measured.
        for (int i = 0; i < warmup; i++) {
          send(producer, request("warmup", "warmup", i));
        }
        producer.flush();
        PipelineBench.awaitAll(stack.bootstrapServers(), Topics.IMAGES, Codecs.IMAGE, warmup, image -> image.getBatchId().equals("warmup"));
        for (int i = 0; i < backlog; i++) {
          send(producer, request("tenant-a", "backlog", i));
        }
        producer.flush();
        long start = System.nanoTime();
        for (int i = 0; i < requests; i++) {
          long due = start + i * intervalMillis * 1_000_000;
          Thread.sleep(Math.max(0, (due - System.nanoTime()) / 1_000_000));
          send(producer, request("tenant-b", "interactive", i));
          producer.flush();
        }
      }
      List<RenderedImage> images = PipelineBench.awaitAll(stack.bootstrapServers(), Topics.IMAGES, Codecs.IMAGE, backlog + requests,
          image -> !image.getBatchId().equals("warmup"));
      cluster.cancel(render);
      List<Long> wait = new ArrayList<>();
      List<Long> queue = new ArrayList<>();
      Instant aFirst = Instant.MAX;
      Instant aLast = Instant.MIN;
      for (RenderedImage image : images) {
        if (image.getTenant().equals("tenant-b")) {
          wait.add(Duration.between(image.getSubmittedAt(), image.getRenderedAt()).toMillis());
          queue.add(image.getQueueMillis());
        } else {
          Instant batchStart = image.getRenderedAt().minusMillis(image.getRenderMillis());
          aFirst = batchStart.isBefore(aFirst) ? batchStart : aFirst;
          aLast = image.getRenderedAt().isAfter(aLast) ? image.getRenderedAt() : aLast;
        }
      }
      double aRate = backlog / (Duration.between(aFirst, aLast).toNanos() / 1e9);
      Figures f = new Figures(mode, wait, queue, aRate);
      System.out.printf("%s: B waits (ms, in submit order): %s%n", mode, wait);
      return f;
    }
  }

  static KafkaProducer<byte[], byte[]> producer(LocalStack stack) {
    return new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
  }

  static RenderRequest request(String tenant, String batchId, int i) {
    return RenderRequest.newBuilder().setRequestId(batchId + "-" + tenant + "-" + i).setTenant(tenant)
        .setBatchId(batchId).setPrompt(PipelineBench.prompt(i)).setSeed((long) i).setSubmittedAt(Instant.now())
        .build();
  }

  static void send(KafkaProducer<byte[], byte[]> producer, RenderRequest r) {
    producer.send(new ProducerRecord<>(Topics.REQUESTS, r.getRequestId().getBytes(StandardCharsets.UTF_8),
        Codecs.REQUEST.encode(r)));
  }

  /** The p-th percentile (nearest rank) of {@code values}, in their unit. */
  static long percentile(List<Long> values, int p) {
    List<Long> sorted = values.stream().sorted().toList();
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }
}
