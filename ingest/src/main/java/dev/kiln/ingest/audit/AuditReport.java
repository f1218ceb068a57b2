package dev.kiln.ingest.audit;

import dev.kiln.schemas.Topics;
import dev.kiln.schemas.ResultStatus;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What {@link BatchAudit} found about one batch: the committed results on kiln.results, the
 * rendered images on kiln.images and the batch's objects, checked against each other.
 *
 * <p>{@link #lines()} is what {@code kiln audit} prints: one finding per line, each starting with
 * a fixed prefix ({@link #NO_RESULT}, {@link #UNACCOUNTED}, {@link #UNEXPECTED}, {@link #DUPLICATE},
 * {@link ObjectProblem.Kind#prefix()}, {@link #STAGING}) padded to {@value #PREFIX_WIDTH}
 * characters, then the image id or key, then details; the last line starts with {@link #SUMMARY}.
 * Lists are sorted, so the same state always prints the same lines.
 *
 * @param tenant the audited tenant
 * @param batchId the audited batch
 * @param expected the number of images the batch should have, or {@code null} when not given
 * @param images distinct image ids seen anywhere: in a result, on kiln.images, or in an object key
 * @param results committed result records of the batch, duplicates included
 * @param statuses per image with a result, the status of its first committed result, by status
 * @param missingResults images seen on kiln.images or in the bucket without a committed result
 * @param duplicates images with more than one committed result
 * @param objectProblems results whose object is missing, differs or has the wrong key, and objects
 *     no result names
 * @param staging every key under {@code staging/{tenant}/{batchId}/}
 * @param undecodable records on the topics that could not be decoded (their batch is unknown)
 */
public record AuditReport(
    String tenant,
    String batchId,
    Integer expected,
    int images,
    int results,
    Map<ResultStatus, Integer> statuses,
    List<MissingResult> missingResults,
    List<Duplicate> duplicates,
    List<ObjectProblem> objectProblems,
    List<String> staging,
    int undecodable) {

  public static final String NO_RESULT = "no-result";
  public static final String UNACCOUNTED = "unaccounted";
  public static final String UNEXPECTED = "unexpected";
  public static final String DUPLICATE = "duplicate";
  public static final String STAGING = "staging";
  public static final String SUMMARY = "summary";
  public static final int PREFIX_WIDTH = 15;

  public AuditReport {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(batchId, "batchId");
    EnumMap<ResultStatus, Integer> counts = new EnumMap<>(ResultStatus.class);
    for (ResultStatus s : ResultStatus.values()) {
      counts.put(s, statuses.getOrDefault(s, 0));
    }
    statuses = Map.copyOf(counts);
    missingResults = List.copyOf(missingResults);
    duplicates = List.copyOf(duplicates);
    objectProblems = List.copyOf(objectProblems);
    staging = List.copyOf(staging);
  }

  /** Where an image without a result was seen. */
  public enum Source {
    IMAGES_TOPIC(Topics.IMAGES),
    STAGING("staging"),
    ASSETS("assets"),
    QUARANTINE("quarantine");

    private final String label;

    Source(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /** An image that was rendered or has an object, but no committed result. */
  public record MissingResult(String imageId, Set<Source> seenIn) {
    public MissingResult {
      seenIn = Set.copyOf(seenIn);
    }
  }

  /** One committed result record, and where it is on the results topic. */
  public record ResultRecord(ResultStatus status, int attempt, String assetKey, String sha256, int partition,
      long offset) {}

  /** An image with more than one committed result, in topic order. */
  public record Duplicate(String imageId, List<ResultRecord> results) {
    public Duplicate {
      results = List.copyOf(results);
    }
  }

  /**
   * A problem with an image's object.
   *
   * @param key the object key the result names (for {@link Kind#STRAY}: the object's key); {@code null}
   *     when a result that should name one does not
   * @param resultSha256 the sha256 the result records, for {@link Kind#SHA256_MISMATCH}
   * @param objectSha256 the sha256 of the object's bytes, for {@link Kind#SHA256_MISMATCH}
   * @param detail what a person needs to know, printed after the key
   */
  public record ObjectProblem(Kind kind, String imageId, String key, String resultSha256, String objectSha256,
      String detail) {
    /** The kinds of object problem, each with its printed prefix. */
    public enum Kind {
      /** A result names an object that is not in the bucket, or a PUBLISHED/REJECTED-after-render result names none. */
      MISSING("object-missing"),
      /** The object's bytes do not have the sha256 the result records. */
      SHA256_MISMATCH("sha256-mismatch"),
      /** A result names a key other than its image's asset or quarantine key; it is not read. */
      WRONG_KEY("wrong-key"),
      /** An object under assets/ or quarantine/ that none of its image's results names. */
      STRAY("stray-object");

      private final String prefix;

      Kind(String prefix) {
        this.prefix = prefix;
      }

      public String prefix() {
        return prefix;
      }
    }
  }

  /** Images the batch should have but that were seen nowhere: {@code expected - images}, or 0. */
  public int unaccounted() {
    return expected == null ? 0 : Math.max(0, expected - images);
  }

  /** Images seen beyond what was expected: {@code images - expected}, or 0. */
  public int unexpected() {
    return expected == null ? 0 : Math.max(0, images - expected);
  }

  /** The number of finding lines; 0 means the batch is clean. */
  public int findings() {
    return missingResults.size() + (unaccounted() > 0 ? 1 : 0) + (unexpected() > 0 ? 1 : 0) + duplicates.size()
        + objectProblems.size() + staging.size();
  }

  /** Whether nothing was found: every image has exactly one result, every object matches, staging is empty. */
  public boolean clean() {
    return findings() == 0;
  }

  /** The printed report: one line per finding, then the summary line. */
  public List<String> lines() {
    List<String> lines = new ArrayList<>();
    for (MissingResult m : missingResults) {
      lines.add(line(NO_RESULT, m.imageId() + " seen in " + m.seenIn().stream().sorted().map(Source::label)
          .collect(Collectors.joining(", "))));
    }
    if (unaccounted() > 0) {
      lines.add(line(UNACCOUNTED, unaccounted() + " images: --expect " + expected + ", " + images
          + " seen (in results, kiln.images or the bucket)"));
    }
    if (unexpected() > 0) {
      lines.add(line(UNEXPECTED, unexpected() + " images: --expect " + expected + ", " + images
          + " seen (in results, kiln.images or the bucket)"));
    }
    for (Duplicate d : duplicates) {
      lines.add(line(DUPLICATE, d.imageId() + " " + d.results().size() + " results: " + d.results().stream()
          .map(r -> r.status() + " attempt " + r.attempt() + " at " + r.partition() + "@" + r.offset())
          .collect(Collectors.joining(", "))));
    }
    for (ObjectProblem p : objectProblems) {
      lines.add(line(p.kind().prefix(), p.imageId() + " " + (p.key() == null ? "-" : p.key())
          + (p.detail().isEmpty() ? "" : " " + p.detail())));
    }
    for (String key : staging) {
      lines.add(line(STAGING, key));
    }
    lines.add(line(SUMMARY, tenant + "/" + batchId + ": " + images + " images"
        + (expected == null ? "" : " (expected " + expected + ")") + ", " + results + " results: published "
        + statuses.get(ResultStatus.PUBLISHED) + ", rejected " + statuses.get(ResultStatus.REJECTED) + ", failed "
        + statuses.get(ResultStatus.FAILED) + "; " + (clean() ? "clean" : findings() + " findings")
        + (undecodable > 0 ? " (" + undecodable + " undecodable records skipped)" : "")));
    return lines;
  }

  private static String line(String prefix, String text) {
    return String.format("%-" + PREFIX_WIDTH + "s %s", prefix, text);
  }
}
