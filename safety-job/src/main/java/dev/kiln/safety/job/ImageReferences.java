package dev.kiln.safety.job;

import dev.kiln.schemas.RenderedImage;
import dev.kiln.storage.ObjectKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks a kiln.images record before the safety job touches storage for it. The job reads the
 * staged object, writes the image under the record's tenant and batch, and deletes the staged
 * object, all by keys the record names; a record that names another tenant's key, a path outside
 * {@code staging/}, or another bucket would make it read, publish over or delete an object that is
 * not the record's own. So the staging key must be exactly the one {@link ObjectKeys} derives from
 * the record's own (validated) tenant, batch, image id and attempt, in the job's own bucket.
 */
final class ImageReferences {
  /** More re-renders than any setting of kiln.safety.max-rerenders could ask for. */
  static final int MAX_ATTEMPT = 100;
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final long MAX_BYTE_SIZE = 256L << 20;

  private ImageReferences() {}

  /**
   * The staging key of {@code image}, derived from its tenant, batch, image id and attempt; the
   * one key the job reads and deletes for it. {@link #problems} has checked that the record's own
   * {@code stagingKey} is the same, but the job never uses the key the record carries.
   */
  static String stagingKey(RenderedImage image) {
    return ObjectKeys.staging(image.getTenant(), image.getBatchId(), image.getImageId(), image.getAttempt());
  }

  /** What is wrong with {@code image}, one message per field; empty when it may be processed. */
  static List<String> problems(RenderedImage image, String bucket) {
    List<String> problems = new ArrayList<>();
    if (!bucket.equals(image.getBucket())) {
      problems.add("bucket '" + image.getBucket() + "' is not this job's bucket '" + bucket + "'");
    }
    if (image.getAttempt() < 0 || image.getAttempt() > MAX_ATTEMPT) {
      problems.add("attempt must be 0.." + MAX_ATTEMPT + ", got " + image.getAttempt());
    }
    if (image.getImageIndex() < 0 || image.getImageIndex() >= image.getImageCount()) {
      problems.add("imageIndex must be 0..imageCount-1, got " + image.getImageIndex() + " of " + image.getImageCount());
    }
    if (image.getSha256() == null || !SHA256.matcher(image.getSha256()).matches()) {
      problems.add("sha256 must be 64 lower-case hex digits");
    }
    if (image.getByteSize() <= 0 || image.getByteSize() > MAX_BYTE_SIZE) {
      problems.add("byteSize must be 1.." + MAX_BYTE_SIZE + ", got " + image.getByteSize());
    }
    String expected;
    try {
      expected = ObjectKeys.staging(image.getTenant(), image.getBatchId(), image.getImageId(),
          Math.max(0, image.getAttempt()));
    } catch (IllegalArgumentException | NullPointerException e) {
      problems.add("tenant, batchId or imageId cannot name an object: " + e.getMessage());
      return problems;
    }
    if (!expected.equals(image.getStagingKey())) {
      problems.add("stagingKey '" + truncate(image.getStagingKey()) + "' is not this image's staging key '" + expected
          + "'");
    }
    return problems;
  }

  private static String truncate(String s) {
    return s == null ? "null" : s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
