package dev.kiln.deploy.it;

import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.GenerationParams;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.ResultStatus;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Hostile records for kiln.requests and kiln.images, every kind in a fixed rotation and
 * deterministic for a seed: random bytes, another schema's record, valid Avro with out-of-range
 * fields, declared lengths near 2^31, ids with {@code ../}, and image references whose staging key
 * points at another tenant's published object. Each must be dead-lettered, none may restart a job,
 * none may touch an object that is not its own.
 */
public final class HostileRecords {
  /** How many kinds {@link #forRequests} rotates through. */
  public static final int REQUEST_KINDS = 7;
  /** How many kinds {@link #forImages} rotates through. */
  public static final int IMAGE_KINDS = 7;

  private HostileRecords() {}

  public static List<byte[]> forRequests(int n, long seed) {
    Random random = new Random(seed);
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String id = "hostile-" + seed + "-" + i;
      out.add(switch (i % REQUEST_KINDS) {
        case 0 -> randomBytes(random);
        case 1 -> Codecs.RESULT.encode(result(id));
        case 2 -> Codecs.REQUEST.encode(RenderRequest.newBuilder(request(id)).setWidth(-64).setSteps(100_000)
            .setNumImages(1 << 20).setGuidanceScale(Float.NaN).build());
        case 3 -> hugeLength(Codecs.REQUEST.encode(request(id)), Integer.MAX_VALUE - 8);
        case 4 -> hugeLength(Codecs.REQUEST.encode(request(id)), 1L << 31);
        case 5 -> Codecs.REQUEST.encode(RenderRequest.newBuilder(request(id)).setRequestId("../../assets/victim/b/x")
            .build());
        default -> Codecs.REQUEST.encode(RenderRequest.newBuilder(request(id)).setTenant("..").setBatchId("../assets")
            .build());
      });
    }
    return out;
  }

  /**
   * @param victimKey an object of another tenant that hostile staging keys point at; it must be left as it is
   */
  public static List<byte[]> forImages(int n, long seed, String bucket, String victimKey) {
    Random random = new Random(seed);
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String id = "hostile-" + seed + "-" + i;
      RenderedImage image = image(id, bucket);
      out.add(switch (i % IMAGE_KINDS) {
        case 0 -> randomBytes(random);
        case 1 -> Codecs.REQUEST.encode(request(id));
        case 2 -> Codecs.IMAGE.encode(RenderedImage.newBuilder(image).setStagingKey(victimKey).build());
        case 3 -> Codecs.IMAGE.encode(RenderedImage.newBuilder(image).setImageId("../../" + victimKey)
            .setStagingKey("staging/hostile/b/../../" + victimKey).build());
        case 4 -> Codecs.IMAGE.encode(RenderedImage.newBuilder(image).setBucket("another-bucket").build());
        case 5 -> hugeLength(Codecs.IMAGE.encode(image), Integer.MAX_VALUE - 8);
        default -> Codecs.IMAGE.encode(RenderedImage.newBuilder(image).setAttempt(-3).setByteSize(-1)
            .setSha256("not-a-hash").build());
      });
    }
    return out;
  }

  private static byte[] randomBytes(Random random) {
    byte[] b = new byte[1 + random.nextInt(300)];
    random.nextBytes(b);
    return b;
  }

  /** A record's 10-byte header, then a first field that declares {@code length} bytes and has a few. */
  private static byte[] hugeLength(byte[] valid, long length) {
    long z = (length << 1) ^ (length >> 63);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(valid, 0, 10);
    while ((z & ~0x7FL) != 0) {
      out.write((int) ((z & 0x7F) | 0x80));
      z >>>= 7;
    }
    out.write((int) z);
    out.writeBytes(Arrays.copyOfRange(valid, 10, Math.min(valid.length, 40)));
    return out.toByteArray();
  }

  private static RenderRequest request(String id) {
    return RenderRequest.newBuilder().setRequestId(id).setTenant("hostile").setBatchId("b").setPrompt("a red circle")
        .setSeed(1L).setSubmittedAt(Instant.EPOCH).build();
  }

  private static RenderResult result(String id) {
    return RenderResult.newBuilder().setRequestId(id).setImageId(id + "-0").setTenant("hostile").setBatchId("b")
        .setImageIndex(0).setImageCount(1).setStatus(ResultStatus.FAILED).setReason("hostile")
        .setSubmittedAt(Instant.EPOCH).setCompletedAt(Instant.EPOCH).build();
  }

  private static RenderedImage image(String id, String bucket) {
    return RenderedImage.newBuilder().setImageId(id + "-0").setRequestId(id).setTenant("hostile").setBatchId("b")
        .setImageIndex(0).setImageCount(1).setBucket(bucket).setStagingKey("staging/hostile/b/" + id + "-0.png")
        .setSha256("a".repeat(64)).setByteSize(100)
        .setParams(GenerationParams.newBuilder().setModel("kiln-tiny").setPrompt("a red circle").setWidth(64)
            .setHeight(64).setSteps(20).setGuidanceScale(3f).setSeed(1).build())
        .setSubmittedAt(Instant.EPOCH).setRenderedAt(Instant.EPOCH).setRenderMillis(1).build();
  }
}
