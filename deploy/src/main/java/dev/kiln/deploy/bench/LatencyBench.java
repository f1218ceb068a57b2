package dev.kiln.deploy.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.deploy.flink.KilnCluster;
import dev.kiln.ingest.http.KilnApiServer;
import dev.kiln.render.engine.DiffusionEngine;
import dev.kiln.render.engine.EngineOptions;
import dev.kiln.render.engine.GenerationRequest;
import dev.kiln.render.job.RenderJobOptions;
import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.InvalidRecordException;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.schemas.Topics;
import dev.kiln.storage.S3Settings;
import dev.kiln.wire.KilnOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Prints the latency from an HTTP submit to a committed PUBLISHED result at light load, for each
 * checkpoint interval, against the goal p50 &lt;= model time + 1.5 x interval + 250 ms.
 *
 * <p>The broker and the S3 server run as separate processes ({@code kiln service broker|s3}, as
 * {@code kiln up} starts them); both jobs run on a MiniCluster in this JVM, and so does the HTTP API.
 * Each run submits one kiln-tiny request of the default size (64x64, 20 steps) per second over
 * {@code POST /v1/requests}, and a read_committed consumer of kiln.results notes when each
 * request's PUBLISHED result becomes visible: exactly-once results show only when the safety job's
 * checkpoint commits its transaction, so the interval bounds the latency from below. Runs
 * alternate between the intervals, each with both jobs submitted afresh and a short warm-up. The
 * model time is the engine alone rendering the same request, batch 1, in this JVM, between runs.
 */
public final class LatencyBench {
  private static final String KEY = "latency-bench-key-0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private LatencyBench() {}

  public static void main(String[] args) throws Exception {
    int requests = 60;
    int runs = 3;
    int warmup = 5;
    boolean fixedRate = false;
    List<Duration> intervals = List.of(Duration.ofSeconds(1), Duration.ofSeconds(5));
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--requests" -> requests = Integer.parseInt(args[i + 1]);
        case "--runs" -> runs = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--arrivals" -> fixedRate = switch (args[i + 1]) {
          case "fixed" -> true;
          case "poisson" -> false;
          default -> throw new IllegalArgumentException("--arrivals: fixed or poisson, not " + args[i + 1]);
        };
        case "--intervals" -> intervals = Arrays.stream(args[i + 1].split(","))
            .map(s -> Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000))).toList();
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; allowed: --requests N, --runs N, --warmup N, --intervals 1,5 (seconds), --arrivals poisson|fixed");
      }
    }
    Path repo = Path.of(System.getProperty("kiln.repo.dir", "."));
    Path models = repo.resolve("models").toAbsolutePath();
    Path dir = Files.createTempDirectory("kiln-latency");
    Map<Duration, List<double[]>> byInterval = new LinkedHashMap<>();
    List<Double> modelMillis = new ArrayList<>();
    List<Double> jobRenderMillis = new ArrayList<>();
    int threads = RenderJobOptions.ENGINE_THREADS.defaultValue();
    EngineOptions.Builder engineOptions = EngineOptions.builder().setModelDir(models.resolve("kiln-tiny"));
    if (threads > 0) {
      engineOptions.optIntraOpThreads(threads);
    }
    try (ServiceStack services = ServiceStack.start(dir)) {
      String bootstrap = services.bootstrapServers();
      S3Settings s3 = services.s3Settings();
      Configuration base = services.jobConfig(models);
      try (KilnCluster cluster = KilnCluster.start(4);
           KilnApiServer api = KilnApiServer.builder().setBootstrapServers(bootstrap).setS3Settings(s3)
               .setApiKeys(Map.of(KEY, "bench")).optHost("127.0.0.1").optPort(0)
               .optShutdownGrace(Duration.ZERO).build().start();
           DiffusionEngine engine = DiffusionEngine.load(engineOptions.build())) {
        if (!api.awaitReady(Duration.ofMinutes(1))) {
          throw new IllegalStateException("the HTTP API did not become ready in a minute");
        }
        modelTime(engine, 10);
        for (int run = 1; run <= runs; run++) {
          for (Duration interval : intervals) {
            Configuration config = new Configuration(base);
            config.set(KilnOptions.CHECKPOINT_INTERVAL, interval);
            JobID render = cluster.submitRenderJob(config);
            JobID safety = cluster.submitSafetyJob(config);
            cluster.awaitRunning(render, Duration.ofMinutes(2));
            cluster.awaitRunning(safety, Duration.ofMinutes(2));
            String tag = "r" + run + "-" + interval.toMillis() + "ms";
            measure(api.uri(), bootstrap, "warmup-" + tag, warmup, fixedRate, null);
            double[] latencies = measure(api.uri(), bootstrap, "latency-" + tag, requests, fixedRate,
                jobRenderMillis);
            cluster.cancel(render);
            cluster.cancel(safety);
            byInterval.computeIfAbsent(interval, k -> new ArrayList<>()).add(latencies);
            System.out.printf("run %d, checkpoint interval %d ms: %d published, p50 %.0f ms, p99 %.0f ms,"
                + " min %.0f ms, max %.0f ms%n", run, interval.toMillis(), latencies.length,
                percentile(latencies, 50), percentile(latencies, 99), latencies[0], latencies[latencies.length - 1]);
            modelMillis.add(modelTime(engine, 10));
          }
        }
      }
    }
    double model = median(modelMillis);
    System.out.printf("setup: kiln-tiny, 64x64, 20 steps, guidance 3 (the request defaults), %d requests per run at"
        + " 1/s (%s arrivals) over HTTP after %d warm-up requests; broker and S3 server in their own processes, both jobs on a"
        + " MiniCluster (4 slots) and the HTTP API in this JVM; latency = POST sent -> PUBLISHED result read by a"
        + " read_committed consumer%n", requests,
        fixedRate ? "fixed-rate" : "Poisson", warmup);
    System.out.printf("model time per image (engine alone, batch 1, this JVM): median %.0f ms; the render job's own"
        + " renderMillis: median %.0f ms%n", model, median(jobRenderMillis));
    for (Map.Entry<Duration, List<double[]>> e : byInterval.entrySet()) {
      long ms = e.getKey().toMillis();
      List<Double> p50s = e.getValue().stream().map(l -> percentile(l, 50)).toList();
      List<Double> p99s = e.getValue().stream().map(l -> percentile(l, 99)).toList();
      double p50 = median(p50s);
      double goal = model + 1.5 * ms + 250;
      System.out.printf("checkpoint interval %d ms: median of %d runs p50 %.0f ms (runs %s), p99 %.0f ms (runs %s);"
          + " goal p50 <= %.0f + 1.5 x %d + 250 = %.0f ms: %s%n", ms, p50s.size(), p50, rounded(p50s), median(p99s),
          rounded(p99s), model, ms, goal, p50 <= goal ? "MET" : "NOT MET");
    }
  }

  /** The engine alone rendering the request default, batch 1, {@code n} times; the median in ms. */
  private static double modelTime(DiffusionEngine engine, int n) {
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      engine.generate(List.of(new GenerationRequest(PipelineBench.prompt(i), "", 64, 64, 20, 3f, 5000 + i)));
      ms.add((System.nanoTime() - t0) / 1e6);
    }
    return median(ms);
  }

  /**
   * Submits {@code n} requests at one a second on average (exactly one a second when {@code fixedRate})
   * and waits for their results; the latencies in ms of
   * those PUBLISHED, sorted. Adds each PUBLISHED result's renderMillis to {@code renderMillis}.
   */
  private static double[] measure(URI api, String bootstrap, String batchId, int n, boolean fixedRate,
      List<Double> renderMillis)
      throws IOException, InterruptedException, InvalidRecordException {
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    Map<String, Long> seenAt = new ConcurrentHashMap<>();
    Map<String, RenderResult> results = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20,
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
      List<TopicPartition> parts = consumer.partitionsFor(Topics.RESULTS).stream()
          .map(p -> new TopicPartition(Topics.RESULTS, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToEnd(parts);
      parts.forEach(consumer::position);
      Thread submitter = new Thread(() -> submit(api, batchId, n, fixedRate, sentAt, stop),
          "latency-submitter");
      submitter.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(n + 180L).toNanos();
      while ((submitter.isAlive() || results.size() < sentAt.size()) && System.nanoTime() < deadline) {
        for (var record : consumer.poll(Duration.ofMillis(20))) {
          long now = System.nanoTime();
          RenderResult r = Codecs.RESULT.decode(record.value());
          if (r.getBatchId().equals(batchId) && results.putIfAbsent(r.getRequestId(), r) == null) {
            seenAt.put(r.getRequestId(), now);
          }
        }
      }
      stop.set(true);
      submitter.join();
    }
    if (results.size() < n) {
      System.out.printf("  %s: only %d of %d results in time%n", batchId, results.size(), n);
    }
    List<Double> latencies = new ArrayList<>();
    int other = 0;
    for (Map.Entry<String, RenderResult> e : results.entrySet()) {
      Long sent = sentAt.get(e.getKey());
      if (sent == null) {
        continue;
      }
      if (e.getValue().getStatus() == ResultStatus.PUBLISHED) {
        latencies.add((seenAt.get(e.getKey()) - sent) / 1e6);
        if (renderMillis != null) {
          renderMillis.add((double) e.getValue().getRenderMillis());
        }
      } else {
        other++;
      }
    }
    if (other > 0) {
      System.out.printf("  %s: %d result(s) not PUBLISHED, left out%n", batchId, other);
    }
    return latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  /**
   * One POST /v1/requests a second, {@code n} in all; records when each was sent, by request id.
   * Unless {@code fixedRate}, the gaps are exponential with a mean of one second (Poisson arrivals,
   * seeded): at exactly one a second, every request would meet the checkpoints at the same phase
   * when the interval is a whole number of seconds, and all latencies would be nearly one figure.
   */
  private static void submit(URI api, String batchId, int n, boolean fixedRate, Map<String, Long> sentAt,
      AtomicBoolean stop) {
    Random random = new Random(batchId.hashCode());
    long due = System.nanoTime();
    for (int i = 0; i < n && !stop.get(); i++) {
      due += i == 0 ? 0 : fixedRate ? 1_000_000_000L : (long) (-Math.log(1 - random.nextDouble()) * 1e9);
      try {
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        String body = JSON.writeValueAsString(Map.of("prompt", PipelineBench.prompt(i), "seed", i,
            "batchId", batchId));
        long sent = System.nanoTime();
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(api.resolve("/v1/requests"))
            .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + KEY)
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
          System.out.printf("  %s: request %d answered %d: %s%n", batchId, i, response.statusCode(), response.body());
          continue;
        }
        sentAt.put(JSON.readTree(response.body()).get("requestId").asText(), sent);
      } catch (IOException e) {
        System.out.printf("  %s: request %d failed: %s%n", batchId, i, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The nearest-rank percentile of sorted {@code values}. */
  static double percentile(double[] values, int p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * values.length);
    return values[Math.max(0, rank - 1)];
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2);
  }

  private static String rounded(List<Double> values) {
    return values.stream().map(v -> String.format("%.0f", v)).toList().toString();
  }
}
