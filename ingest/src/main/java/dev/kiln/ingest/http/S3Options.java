package dev.kiln.ingest.http;

import dev.kiln.storage.S3Settings;
import java.net.URI;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The object-store options of {@code kiln serve} and {@code kiln notify}, as a picocli mixin. Each
 * defaults to an environment variable, so one environment configures every Kiln command.
 */
public final class S3Options {
  @Option(names = "--s3-bucket", paramLabel = "BUCKET", defaultValue = "${env:KILN_S3_BUCKET}",
      description = "Bucket the images are published to. Default: $KILN_S3_BUCKET.")
  String bucket;

  @Option(names = "--s3-endpoint", paramLabel = "URL", defaultValue = "${env:KILN_S3_ENDPOINT}",
      description = "Endpoint of an S3-compatible server, e.g. http://127.0.0.1:9000 (path-style addressing)."
          + " Default: $KILN_S3_ENDPOINT, else AWS.")
  URI endpoint;

  @Option(names = "--s3-region", paramLabel = "REGION", defaultValue = "${env:KILN_S3_REGION:-us-east-1}",
      description = "Signing region. Default: $KILN_S3_REGION, else us-east-1.")
  String region;

  @Option(names = "--s3-access-key", paramLabel = "KEY", defaultValue = "${env:KILN_S3_ACCESS_KEY}",
      description = "Access key; with --s3-secret-key. Default: $KILN_S3_ACCESS_KEY, else the AWS default"
          + " credential chain.")
  String accessKey;

  @Option(names = "--s3-secret-key", paramLabel = "SECRET", defaultValue = "${env:KILN_S3_SECRET_KEY}",
      description = "Secret key for --s3-access-key. Default: $KILN_S3_SECRET_KEY.")
  String secretKey;

  /**
   * The settings, or empty when no bucket is set.
   *
   * @throws IllegalArgumentException from {@link S3Settings.Builder#build()}, saying what to fix
   */
  public Optional<S3Settings> settings() {
    if (bucket == null || bucket.isBlank()) {
      return Optional.empty();
    }
    S3Settings.Builder builder = S3Settings.builder().setBucket(bucket).optRegion(region);
    if (endpoint != null) {
      builder.optEndpoint(endpoint);
    }
    if (accessKey != null || secretKey != null) {
      builder.optCredentials(accessKey, secretKey);
    }
    return Optional.of(builder.build());
  }
}
