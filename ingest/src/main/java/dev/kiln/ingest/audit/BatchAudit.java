package dev.kiln.ingest.audit;

import dev.kiln.schemas.KafkaEndpoint;
import dev.kiln.schemas.Topics;
import dev.kiln.ingest.audit.AuditReport.Duplicate;
import dev.kiln.ingest.audit.AuditReport.MissingResult;
import dev.kiln.ingest.audit.AuditReport.ObjectProblem;
import dev.kiln.ingest.audit.AuditReport.ObjectProblem.Kind;
import dev.kiln.ingest.audit.AuditReport.ResultRecord;
import dev.kiln.ingest.audit.AuditReport.Source;
import dev.kiln.ingest.audit.internal.TopicSnapshot;
import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.InvalidRecordException;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.schemas.TrustedPackages;
import dev.kiln.storage.Checksums;
import dev.kiln.storage.ObjectKeys;
import dev.kiln.storage.ObjectKeys.Area;
import dev.kiln.storage.ObjectStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audits one batch of one tenant: is there exactly one committed result per image, is every
 * result's object in the bucket with the bytes the result's sha256 names, and is nothing left
 * under {@code staging/}?
 *
 * <p>{@link #run()} reads the results and images topics with read_committed, from the beginning
 * up to the end offsets they have when it starts (transactions still open then are not seen), lists
 * {@code staging/}, {@code assets/} and {@code quarantine/} of the batch, downloads every object a
 * result names and hashes it. It reads the whole of both topics, keeping only the batch's records.
 * It writes nothing. Results without an object (FAILED, and REJECTED by the prompt policy before
 * rendering) are expected to name none.
 *
 * <p>Build with {@link #builder()}: {@code set*} is required, {@code opt*} optional.
 */
public final class BatchAudit {
  private static final Logger LOG = LoggerFactory.getLogger(BatchAudit.class);
  public static final String DEFAULT_RESULTS_TOPIC = Topics.RESULTS;
  public static final String DEFAULT_IMAGES_TOPIC = Topics.IMAGES;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

  // A staged key's file name: the image id, then .r<n> for re-render attempt n (ObjectKeys.staging).
  private static final Pattern STAGED_NAME = Pattern.compile("(.+?)(?:\\.r[0-9]+)?\\.png");
  private static final Pattern PUBLISHED_NAME = Pattern.compile("(.+)\\.(png|json)");

  private final KafkaEndpoint kafka;
  private final ObjectStore store;
  private final String tenant;
  private final String batchId;
  private final Integer expected;
  private final String resultsTopic;
  private final String imagesTopic;
  private final Duration timeout;

  private BatchAudit(Builder b) {
    this.kafka = b.kafka;
    this.store = b.store;
    this.tenant = b.tenant;
    this.batchId = b.batchId;
    this.expected = b.expected;
    this.resultsTopic = b.resultsTopic;
    this.imagesTopic = b.imagesTopic;
    this.timeout = b.timeout;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the topics and the bucket and checks them against each other.
   *
   * @throws KafkaException when a topic cannot be read to its end offsets in time
   * @throws IllegalStateException when a topic does not exist
   * @throws software.amazon.awssdk.core.exception.SdkException when the bucket cannot be listed or read
   */
  public AuditReport run() {
    TrustedPackages.ensure();
    List<Committed> results = new ArrayList<>();
    List<RenderedImage> images = new ArrayList<>();
    int[] undecodable = {0};
    try (Consumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(TopicSnapshot.consumerConfig(kafka, "kiln-audit"))) {
      TopicSnapshot.read(consumer, resultsTopic, timeout, record -> {
        try {
          RenderResult r = Codecs.RESULT.decode(record.value());
          if (inBatch(r.getTenant(), r.getBatchId())) {
            results.add(new Committed(r, record.partition(), record.offset()));
          }
        } catch (InvalidRecordException e) {
          undecodable[0]++;
          LOG.warn("audit: skipping undecodable result at {}-{}@{}: {}", record.topic(), record.partition(),
              record.offset(), e.getMessage());
        }
      });
      TopicSnapshot.read(consumer, imagesTopic, timeout, record -> {
        try {
          RenderedImage image = Codecs.IMAGE.decode(record.value());
          if (inBatch(image.getTenant(), image.getBatchId())) {
            images.add(image);
          }
        } catch (InvalidRecordException e) {
          // The safety job dead-letters these; they name no batch this audit could check.
          undecodable[0]++;
          LOG.debug("audit: skipping undecodable image at {}-{}@{}: {}", record.topic(), record.partition(),
              record.offset(), e.getMessage());
        }
      });
    }
    Listing listing = new Listing(
        store.list(ObjectKeys.batchPrefix(Area.STAGING, tenant, batchId)),
        store.list(ObjectKeys.batchPrefix(Area.ASSETS, tenant, batchId)),
        store.list(ObjectKeys.batchPrefix(Area.QUARANTINE, tenant, batchId)));
    return classify(tenant, batchId, expected, results, images, listing, store::getBytes, undecodable[0]);
  }

  private boolean inBatch(String recordTenant, String recordBatch) {
    return tenant.equals(recordTenant) && batchId.equals(recordBatch);
  }

  /** A committed result record and its position on the results topic. */
  record Committed(RenderResult result, int partition, long offset) {}

  /** The keys under the batch's three prefixes. */
  record Listing(List<String> staging, List<String> assets, List<String> quarantine) {}

  /**
   * The audit's logic, on what was read: the batch's committed results in topic order, its images
   * from kiln.images, its object keys, and a way to read an object ({@code empty} when missing).
   * Only keys that are an image's own asset or quarantine key are read.
   */
  static AuditReport classify(String tenant, String batchId, Integer expected, List<Committed> results,
      List<RenderedImage> images, Listing listing, Function<String, Optional<byte[]>> read, int undecodable) {
    Map<String, Set<Source>> seen = new TreeMap<>();
    Map<String, List<Committed>> byImage = new LinkedHashMap<>();
    for (Committed c : results) {
      byImage.computeIfAbsent(c.result().getImageId(), id -> new ArrayList<>()).add(c);
      seen.computeIfAbsent(c.result().getImageId(), id -> EnumSet.noneOf(Source.class));
    }
    for (RenderedImage image : images) {
      seen.computeIfAbsent(image.getImageId(), id -> EnumSet.noneOf(Source.class)).add(Source.IMAGES_TOPIC);
    }
    String stagingPrefix = ObjectKeys.batchPrefix(Area.STAGING, tenant, batchId);
    for (String key : listing.staging()) {
      imageIdOf(key, stagingPrefix, STAGED_NAME)
          .ifPresent(id -> seen.computeIfAbsent(id, x -> EnumSet.noneOf(Source.class)).add(Source.STAGING));
    }
    Map<String, List<String>> published = new HashMap<>();
    addPublished(listing.assets(), ObjectKeys.batchPrefix(Area.ASSETS, tenant, batchId), Source.ASSETS, seen,
        published);
    addPublished(listing.quarantine(), ObjectKeys.batchPrefix(Area.QUARANTINE, tenant, batchId), Source.QUARANTINE,
        seen, published);

    List<MissingResult> missing = new ArrayList<>();
    seen.forEach((id, sources) -> {
      if (!byImage.containsKey(id)) {
        missing.add(new MissingResult(id, sources));
      }
    });

    EnumMap<ResultStatus, Integer> statuses = new EnumMap<>(ResultStatus.class);
    List<Duplicate> duplicates = new ArrayList<>();
    List<ObjectProblem> problems = new ArrayList<>();
    Map<String, Optional<String>> shaByKey = new HashMap<>();
    for (Map.Entry<String, List<Committed>> e : new TreeMap<>(byImage).entrySet()) {
      String imageId = e.getKey();
      List<Committed> list = e.getValue();
      statuses.merge(list.get(0).result().getStatus(), 1, Integer::sum);
      if (list.size() > 1) {
        duplicates.add(new Duplicate(imageId, list.stream().map(BatchAudit::record).toList()));
      }
      Set<String> named = new TreeSet<>();
      Set<String> reported = new TreeSet<>();
      for (Committed c : list) {
        RenderResult r = c.result();
        if (r.getAssetKey() != null) {
          named.add(r.getAssetKey());
        }
        ObjectProblem problem = checkObject(tenant, batchId, r, read, shaByKey);
        // Duplicates usually name the same key with the same sha256: one line per distinct problem.
        if (problem != null && reported.add(problem.kind() + " " + problem.key() + " " + problem.resultSha256())) {
          problems.add(problem);
        }
      }
      for (String key : published.getOrDefault(imageId, List.of())) {
        String png = key.endsWith(".json") ? key.substring(0, key.length() - ".json".length()) + ".png" : key;
        if (!named.contains(png)) {
          problems.add(new ObjectProblem(Kind.STRAY, imageId, key, null, null,
              named.isEmpty() ? "(its " + statusList(list) + " result names no object)"
                  : "(its results name " + String.join(", ", named) + ")"));
        }
      }
    }

    List<String> staging = new ArrayList<>(listing.staging());
    staging.sort(Comparator.naturalOrder());
    return new AuditReport(tenant, batchId, expected, seen.size(), results.size(), statuses, missing, duplicates,
        problems, staging, undecodable);
  }

  private static void addPublished(List<String> keys, String prefix, Source source, Map<String, Set<Source>> seen,
      Map<String, List<String>> published) {
    for (String key : new TreeSet<>(keys)) {
      imageIdOf(key, prefix, PUBLISHED_NAME).ifPresent(id -> {
        seen.computeIfAbsent(id, x -> EnumSet.noneOf(Source.class)).add(source);
        published.computeIfAbsent(id, x -> new ArrayList<>()).add(key);
      });
    }
  }

  /** The image id in a key directly under {@code prefix} whose file name matches {@code name}. */
  private static Optional<String> imageIdOf(String key, String prefix, Pattern name) {
    if (!key.startsWith(prefix)) {
      return Optional.empty();
    }
    String file = key.substring(prefix.length());
    Matcher m = name.matcher(file);
    return file.contains("/") || !m.matches() ? Optional.empty() : Optional.of(m.group(1));
  }

  /** The problem with a result's object, or {@code null} when there is none. */
  private static ObjectProblem checkObject(String tenant, String batchId, RenderResult r,
      Function<String, Optional<byte[]>> read, Map<String, Optional<String>> shaByKey) {
    String imageId = r.getImageId();
    String key = r.getAssetKey();
    String expectedKey;
    try {
      expectedKey = switch (r.getStatus()) {
        case PUBLISHED -> ObjectKeys.asset(tenant, batchId, imageId);
        case REJECTED -> key == null ? null : ObjectKeys.quarantine(tenant, batchId, imageId);
        case FAILED -> null;
      };
    } catch (IllegalArgumentException e) {
      return new ObjectProblem(Kind.WRONG_KEY, imageId, key, null, null, "(" + e.getMessage() + ")");
    }
    if (key == null) {
      return expectedKey == null ? null : new ObjectProblem(Kind.MISSING, imageId, null, r.getSha256(), null,
          "(its " + r.getStatus() + " result names no object; expected " + expectedKey + ")");
    }
    if (!key.equals(expectedKey)) {
      return new ObjectProblem(Kind.WRONG_KEY, imageId, key, r.getSha256(), null, "(a " + r.getStatus()
          + " result's object is " + (expectedKey == null ? "none" : expectedKey) + "; not read)");
    }
    Optional<String> actual = shaByKey.computeIfAbsent(key, k -> read.apply(k).map(Checksums::sha256Hex));
    if (actual.isEmpty()) {
      return new ObjectProblem(Kind.MISSING, imageId, key, r.getSha256(), null, "(" + r.getStatus() + " result)");
    }
    if (!actual.get().equals(r.getSha256())) {
      return new ObjectProblem(Kind.SHA256_MISMATCH, imageId, key, r.getSha256(), actual.get(),
          "result " + (r.getSha256() == null ? "-" : r.getSha256()) + " object " + actual.get());
    }
    return null;
  }

  private static ResultRecord record(Committed c) {
    RenderResult r = c.result();
    return new ResultRecord(r.getStatus(), r.getAttempt(), r.getAssetKey(), r.getSha256(), c.partition(),
        c.offset());
  }

  private static String statusList(List<Committed> list) {
    return String.join("/", list.stream().map(c -> c.result().getStatus().name()).distinct().toList());
  }

  /** Mutable builder; {@code set*} is required, {@code opt*} optional. Not thread-safe. */
  public static final class Builder {
    private KafkaEndpoint kafka;
    private ObjectStore store;
    private String tenant;
    private String batchId;
    private Integer expected;
    private String resultsTopic = DEFAULT_RESULTS_TOPIC;
    private String imagesTopic = DEFAULT_IMAGES_TOPIC;
    private Duration timeout = DEFAULT_TIMEOUT;

    private Builder() {}

    /** Required: the Kafka cluster with the results and images topics. */
    public Builder setBootstrapServers(String bootstrapServers) {
      return setKafka(bootstrapServers == null || bootstrapServers.isBlank() ? null
          : KafkaEndpoint.plaintext(bootstrapServers));
    }

    /** The broker and its security settings; or {@link #setBootstrapServers} for a plaintext one. */
    public Builder setKafka(KafkaEndpoint kafka) {
      this.kafka = kafka;
      return this;
    }

    /** Required: the bucket the pipeline writes to. The caller owns its client and closes it. */
    public Builder setObjectStore(ObjectStore store) {
      this.store = store;
      return this;
    }

    /** Required: the tenant of the batch. */
    public Builder setTenant(String tenant) {
      this.tenant = tenant;
      return this;
    }

    /** Required: the batch to audit. */
    public Builder setBatchId(String batchId) {
      this.batchId = batchId;
      return this;
    }

    /** The number of images the batch should have; without it, only images seen somewhere are checked. */
    public Builder optExpect(int images) {
      this.expected = images;
      return this;
    }

    /** Default {@value BatchAudit#DEFAULT_RESULTS_TOPIC}. */
    public Builder optResultsTopic(String topic) {
      this.resultsTopic = topic;
      return this;
    }

    /** Default {@value BatchAudit#DEFAULT_IMAGES_TOPIC}. */
    public Builder optImagesTopic(String topic) {
      this.imagesTopic = topic;
      return this;
    }

    /** How long reading each topic to its end offsets may take; default 2 minutes. */
    public Builder optTimeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /**
     * Checks the settings and builds the audit.
     *
     * @throws IllegalArgumentException naming the bad setting and how to fix it
     */
    public BatchAudit build() {
      if (kafka == null) {
        throw new IllegalArgumentException("no bootstrap servers: call setBootstrapServers(\"host:9092\")");
      }
      if (store == null) {
        throw new IllegalArgumentException("no object store: call setObjectStore(new ObjectStore(client, bucket))");
      }
      // Validates both ids as ObjectKeys does for every key, with its message.
      ObjectKeys.batchPrefix(Area.STAGING, tenant, batchId);
      if (expected != null && expected < 1) {
        throw new IllegalArgumentException("expect is " + expected + ": pass 1 or more images to optExpect, or"
            + " leave it unset");
      }
      if (resultsTopic == null || resultsTopic.isBlank() || imagesTopic == null || imagesTopic.isBlank()) {
        throw new IllegalArgumentException("a topic name is blank: leave optResultsTopic/optImagesTopic unset for "
            + DEFAULT_RESULTS_TOPIC + " and " + DEFAULT_IMAGES_TOPIC);
      }
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout is " + timeout + ": pass a positive duration to optTimeout,"
            + " e.g. Duration.ofMinutes(2)");
      }
      return new BatchAudit(this);
    }
  }
}
