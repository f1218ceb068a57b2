package dev.kiln.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.deploy.it.HostileRecords;
import dev.kiln.ingest.audit.AuditReport;
import dev.kiln.ingest.audit.BatchAudit;
import dev.kiln.provenance.c2pa.ContentCredentials;
import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.DeadLetter;
import dev.kiln.schemas.InvalidRecordException;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.storage.ObjectStore;
import dev.kiln.storage.S3Clients;
import dev.kiln.storage.S3Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Exactly once when real processes die: on a {@code kiln up} stack (separate JVMs), each case
 * submits a batch mixed with hostile records, injects a fault partway through, and then checks
 * what a user would: every image has exactly one committed result, its object holds the bytes a
 * fault-free run of the same requests produced, nothing is left under {@code staging/}, and the
 * dead-letter topic holds each hostile record exactly once, with a reason.
 *
 * <p>The fault-free reference is the same requests (same ids, prompts, seeds) under another tenant,
 * rendered on the same stack before any fault: a PNG's pixels and metadata depend on the image id
 * and the generation parameters, not on the tenant or batch. Its C2PA manifest does name tenant,
 * batch and render time, so the manifests are checked for validity and the rest byte for byte.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExactlyOnceUnderFaultsIT {
  private static final String[] COLOURS = {"red", "orange", "yellow", "green", "blue", "purple", "white", "black"};
  private static final String[] SHAPES = {"circle", "square", "triangle"};
  private static final Duration BATCH_TIMEOUT = Duration.ofMinutes(6);
  private static final int HOSTILE_REQUESTS = 42;
  private static final int HOSTILE_IMAGES = 14;
  /** Another tenant's published object, which hostile image records point their staging keys at. */
  private static final String VICTIM_KEY = "assets/victim/b/victim-0.png";
  private static final byte[] VICTIM_BYTES = "another tenant's image".getBytes(StandardCharsets.UTF_8);
  /** Requests of the TaskManager-kill case; bench/faults/run.sh raises it. */
  private static final int TM_KILL_REQUESTS = Integer.getInteger("kiln.faults.tm-kill-requests", 1000);
  /** Requests of every other case. */
  private static final int REQUESTS = Integer.getInteger("kiln.faults.requests", 300);
  /** How often the TaskManager of each job is killed in the TaskManager-kill case. */
  private static final int TM_KILLS = Integer.getInteger("kiln.faults.tm-kills", 1);

  private static KilnStack stack;
  private static ResultsFollower results;

  @BeforeAll
  static void startStack() throws IOException {
    stack = ProcessCluster.start("faults", 2);
    results = new ResultsFollower(stack.state().bootstrapServers);
    Files.createDirectories(objectPath(VICTIM_KEY).getParent());
    Files.write(objectPath(VICTIM_KEY), VICTIM_BYTES);
  }

  @AfterAll
  static void stopStack() throws Exception {
    if (results != null) {
      results.close();
    }
    if (stack != null) {
      stack.down(System.out);
      stack.killAll();
    }
  }

  @Test
  @Order(1)
  void killingTheTaskManagerOfEachJobLosesAndDuplicatesNothing() throws Exception {
    Case c = new Case("tm-kill", TM_KILL_REQUESTS);
    c.renderReference();
    c.submit();
    for (int k = 1; k <= TM_KILLS; k++) {
      for (String job : List.of(KilnStack.RENDER, KilnStack.SAFETY)) {
        long share = (long) c.n * (2L * k - (job.equals(KilnStack.RENDER) ? 1 : 0)) / (2L * TM_KILLS + 1);
        results.awaitImages(c.batch, share, BATCH_TIMEOUT);
        String tm = first(stack.rest().taskManagersOf(stack.jobId(job)));
        System.out.println("fault: kill -9 " + tm + " (runs the " + job + " job) at " + results.images(c.batch)
            + " of " + c.n + " images");
        stack.kill(tm);
        // A supervisor (systemd, Kubernetes) would start it again; so does the test.
        stack.restart(tm, System.out);
      }
    }
    c.awaitAndAudit();
  }

  @Test
  @Order(2)
  void killingTheWholeStackThenUpAgainAndResubmittingRendersNothingTwice() throws Exception {
    Case c = new Case("stack-kill", REQUESTS);
    c.renderReference();
    c.submit();
    results.awaitImages(c.batch, c.n / 3, BATCH_TIMEOUT);
    System.out.println("fault: kill -9 of every process of the stack");
    stack.killAll();
    stack = stack.upAgain(System.out);
    // What a user does after a crash: submit the same batch again.
    c.submit();
    c.awaitAndAudit();
  }

  @Test
  @Order(3)
  void theObjectStoreDownFor30SecondsLosesAndDuplicatesNothing() throws Exception {
    Case c = new Case("s3-outage", REQUESTS);
    c.renderReference();
    c.submit();
    results.awaitImages(c.batch, c.n / 5, BATCH_TIMEOUT);
    System.out.println("fault: S3 server stopped for 30 s");
    stack.stop(KilnStack.S3);
    Thread.sleep(30_000);
    stack.restart(KilnStack.S3, System.out);
    c.awaitAndAudit();
  }

  @Test
  @Order(4)
  void aBrokerRestartLosesAndDuplicatesNothing() throws Exception {
    Case c = new Case("broker-restart", REQUESTS);
    c.renderReference();
    c.submit();
    results.awaitImages(c.batch, c.n * 3 / 10, BATCH_TIMEOUT);
    System.out.println("fault: broker restarted");
    stack.stop(KilnStack.BROKER);
    stack.restart(KilnStack.BROKER, System.out);
    c.awaitAndAudit();
  }

  private static String first(java.util.Set<String> ids) {
    assertThat(ids).isNotEmpty();
    return ids.iterator().next();
  }

  /** One batch: its requests, the same requests as a fault-free reference, and the hostile records mixed in. */
  private static final class Case {
    final String name;
    final String tenant;
    final String batch;
    final String refBatch;
    final int n;
    final List<RecordMetadata> hostile = new ArrayList<>();
    final long restartsBefore;
    final String renderJobBefore;
    long submittedAt;

    Case(String name, int n) throws IOException {
      this.name = name;
      this.tenant = "t-" + name;
      this.batch = name;
      this.refBatch = name + "-ref";
      this.n = n;
      this.restartsBefore = restarts();
      this.renderJobBefore = stack.jobId(KilnStack.RENDER);
    }

    List<RenderRequest> requests(String tenantId, String batchId) {
      List<RenderRequest> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        out.add(RenderRequest.newBuilder()
            .setRequestId(name + "-r" + i)
            .setTenant(tenantId)
            .setBatchId(batchId)
            .setPrompt("a " + (i % 2 == 0 ? "large" : "small") + " " + COLOURS[i % COLOURS.length] + " "
                + SHAPES[i % SHAPES.length] + " on a " + COLOURS[(i + 3) % COLOURS.length] + " background")
            .setSeed((long) i)
            .setSteps(4)
            .setSubmittedAt(Instant.ofEpochMilli(1_700_000_000_000L))
            .build());
      }
      return out;
    }

    void renderReference() throws Exception {
      send(requests("ref", refBatch), false);
      results.awaitImages(refBatch, n, BATCH_TIMEOUT);
    }

    /** The batch's requests, with hostile records between them on kiln.requests and kiln.images. */
    void submit() throws Exception {
      if (submittedAt == 0) {
        submittedAt = System.nanoTime();
      }
      send(requests(tenant, batch), true);
    }

    private void send(List<RenderRequest> requests, boolean withHostile) throws Exception {
      long seed = name.hashCode() + hostile.size();
      List<byte[]> hostileRequests = HostileRecords.forRequests(HOSTILE_REQUESTS, seed);
      List<byte[]> hostileImages = HostileRecords.forImages(HOSTILE_IMAGES, seed, stack.state().bucket, VICTIM_KEY);
      List<Future<RecordMetadata>> hostileSent = new ArrayList<>();
      try (KafkaProducer<byte[], byte[]> producer = producer()) {
        int every = Math.max(1, requests.size() / HOSTILE_REQUESTS);
        for (int i = 0; i < requests.size(); i++) {
          RenderRequest r = requests.get(i);
          producer.send(new ProducerRecord<>("kiln.requests", r.getRequestId().getBytes(StandardCharsets.UTF_8),
              Codecs.REQUEST.encode(r)));
          int k = i / every;
          if (withHostile && i % every == 0 && k < HOSTILE_REQUESTS) {
            hostileSent.add(producer.send(new ProducerRecord<>("kiln.requests", null, hostileRequests.get(k))));
            if (k < HOSTILE_IMAGES) {
              hostileSent.add(producer.send(new ProducerRecord<>("kiln.images", null, hostileImages.get(k))));
            }
          }
        }
        producer.flush();
      }
      for (Future<RecordMetadata> f : hostileSent) {
        hostile.add(f.get());
      }
    }

    void awaitAndAudit() throws Exception {
      results.awaitImages(batch, n, BATCH_TIMEOUT);
      // Three more checkpoints: a duplicate result would be committed by then.
      Thread.sleep(4_000);
      boolean sameJobs = stack.jobId(KilnStack.RENDER).equals(renderJobBefore);
      System.out.printf("case %s: %d images in %d s after the fault-free reference; job restarts the fault caused"
          + " (render + safety): %d%s%n", name, n, (System.nanoTime() - submittedAt) / 1_000_000_000L,
          restarts() - (sameJobs ? restartsBefore : 0), sameJobs ? "" : " since both jobs were resubmitted and"
          + " restored from their retained checkpoints");

      AuditReport audit = audit(tenant, batch, n);
      audit.lines().forEach(l -> System.out.println("  audit " + l));
      assertThat(audit.clean()).as(name + ": kiln audit " + batch + "\n" + String.join("\n", audit.lines())).isTrue();

      // The audit read the results and checked each object's sha256; this checks the bytes against
      // the fault-free run of the same requests, apart from the manifest, which must verify.
      Map<String, RenderResult> reference = new HashMap<>();
      results.results(refBatch).forEach(r -> reference.put(r.getImageId(), r));
      List<String> differ = new ArrayList<>();
      for (RenderResult r : results.results(batch)) {
        RenderResult ref = reference.get(r.getImageId());
        if (r.getAssetKey() == null || ref == null || ref.getAssetKey() == null) {
          differ.add(r.getImageId() + " (" + r.getStatus() + ", " + r.getAssetKey() + ", no reference object)");
          continue;
        }
        byte[] published = Files.readAllBytes(objectPath(r.getAssetKey()));
        byte[] expected = Files.readAllBytes(objectPath(ref.getAssetKey()));
        boolean signed = r.getStatus() != ResultStatus.REJECTED;
        if (signed && !ContentCredentials.verify(published, List.of()).valid()) {
          differ.add(r.getImageId() + " (" + r.getStatus() + ", " + r.getAssetKey() + ", manifest does not verify)");
        } else if (!java.util.Arrays.equals(ContentCredentials.unsigned(published),
            ContentCredentials.unsigned(expected))) {
          differ.add(r.getImageId() + " (" + r.getStatus() + ", " + r.getAssetKey() + ")");
        }
      }
      assertThat(differ).as(name + ": images whose bytes differ from the fault-free run's").isEmpty();
      assertDeadLettered();
      assertThat(Files.readAllBytes(objectPath(VICTIM_KEY))).as(name + ": the other tenant's object").isEqualTo(VICTIM_BYTES);
    }

    /** Every hostile record is in the DLQ exactly once, with a reason; nothing else of this case is. */
    private void assertDeadLettered() {
      Map<String, Integer> expected = new HashMap<>();
      hostile.forEach(m -> expected.put(m.topic() + "/" + m.partition() + "/" + m.offset(), 0));
      List<String> reasonless = new ArrayList<>();
      for (DeadLetter d : deadLetters()) {
        String at = d.getSourceTopic() + "/" + d.getSourcePartition() + "/" + d.getSourceOffset();
        if (expected.containsKey(at)) {
          expected.merge(at, 1, Integer::sum);
          if (d.getReason().isBlank()) {
            reasonless.add(at);
          }
        }
      }
      assertThat(expected.entrySet().stream().filter(e -> e.getValue() != 1).map(e -> e.getKey() + " x" + e.getValue())
          .toList()).as(name + ": hostile records not dead-lettered exactly once").isEmpty();
      assertThat(reasonless).as(name + ": dead letters without a reason").isEmpty();
    }
  }

  /** What {@code kiln audit BATCH --tenant T --expect N} reports, against the stack's broker and bucket. */
  private static AuditReport audit(String tenant, String batch, int expected) {
    S3Settings s3 = S3Settings.builder().setBucket(stack.state().bucket).optEndpoint(java.net.URI.create(stack.state().s3Endpoint))
        .optPathStyle(true).optCredentials(stack.state().s3AccessKey, stack.state().s3SecretKey).build();
    try (S3Client client = S3Clients.create(s3)) {
      return BatchAudit.builder().setBootstrapServers(stack.state().bootstrapServers)
          .setObjectStore(new ObjectStore(client, s3.bucket())).setTenant(tenant).setBatchId(batch)
          .optExpect(expected).build().run();
    }
  }

  private static long restarts() throws IOException {
    return stack.rest().restarts(stack.jobId(KilnStack.RENDER)) + stack.rest().restarts(stack.jobId(KilnStack.SAFETY));
  }

  private static Path objectPath(String key) {
    return stack.spec().dataDir().resolve("s3").resolve(stack.state().bucket).resolve(key);
  }

  private static KafkaProducer<byte[], byte[]> producer() {
    Map<String, Object> c = new HashMap<>();
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.state().bootstrapServers);
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(c, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Every committed dead letter, read from the start to the current end. */
  private static List<DeadLetter> deadLetters() {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.state().bootstrapServers);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<DeadLetter> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor("kiln.requests.dlq").stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          try {
            out.add(Codecs.DEAD_LETTER.decode(r.value()));
          } catch (InvalidRecordException e) {
            throw new AssertionError("undecodable dead letter at offset " + r.offset() + ": " + e.getMessage());
          }
        }
      }
    }
    return out;
  }
}
