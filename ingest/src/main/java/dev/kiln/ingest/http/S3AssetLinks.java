package dev.kiln.ingest.http;

import dev.kiln.storage.S3Settings;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;

/**
 * Presigned S3 GET URLs (SigV4 query authentication) for keys of the bucket in {@link S3Settings},
 * signed for the same endpoint, region, addressing style and credentials that Kiln's S3 clients
 * use, so they work against S3-compatible servers too. Presigning is local computation: no request
 * reaches the server until somebody follows the link.
 *
 * <p>Owns its presigner; {@link #close()} releases it (and the default credential chain's
 * resources, when that is used).
 */
public final class S3AssetLinks implements AssetLinks, AutoCloseable {
  /** SigV4 allows presigned URLs to live at most seven days. */
  public static final Duration MAX_TTL = Duration.ofDays(7);

  private final S3Presigner presigner;
  private final String bucket;
  private final Duration ttl;

  private S3AssetLinks(S3Presigner presigner, String bucket, Duration ttl) {
    this.presigner = presigner;
    this.bucket = bucket;
    this.ttl = ttl;
  }

  /**
   * @param ttl how long each link works, from 1 second to {@link #MAX_TTL}
   * @throws IllegalArgumentException for a TTL out of range
   */
  public static S3AssetLinks create(S3Settings settings, Duration ttl) {
    Objects.requireNonNull(settings, "settings");
    requireTtl(ttl);
    return new S3AssetLinks(presigner(settings), settings.bucket(), ttl);
  }

  /** The presigner for {@code settings}; the caller closes it. */
  static S3Presigner presigner(S3Settings settings) {
    S3Presigner.Builder builder = S3Presigner.builder()
        .region(Region.of(settings.region()))
        .credentialsProvider(credentials(settings))
        .serviceConfiguration(S3Configuration.builder()
            .pathStyleAccessEnabled(settings.pathStyle())
            .build());
    settings.endpoint().ifPresent(builder::endpointOverride);
    return builder.build();
  }

  /**
   * Checks a link lifetime.
   *
   * @throws IllegalArgumentException saying what is allowed
   */
  public static Duration requireTtl(Duration ttl) {
    if (ttl == null || ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("presigned URL TTL is " + ttl
          + ": pass 1 second to 7 days (PT1S..P7D), e.g. PT15M");
    }
    return ttl;
  }

  public Duration ttl() {
    return ttl;
  }

  @Override
  public Link link(String key) {
    PresignedGetObjectRequest presigned = presigner.presignGetObject(p -> p
        .signatureDuration(ttl)
        .getObjectRequest(g -> g.bucket(bucket).key(key)));
    try {
      return new Link(presigned.url().toURI(), presigned.expiration());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("the SDK presigned a URL that is not a URI: " + presigned.url(), e);
    }
  }

  @Override
  public void close() {
    presigner.close();
  }

  private static AwsCredentialsProvider credentials(S3Settings settings) {
    if (settings.accessKey().isPresent()) {
      return StaticCredentialsProvider.create(
          AwsBasicCredentials.create(settings.accessKey().get(), settings.secretKey().orElseThrow()));
    }
    return DefaultCredentialsProvider.builder().build();
  }
}
