package dev.kiln.ingest.http;

import dev.kiln.storage.S3Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The object-store options of {@code kiln serve}, {@code kiln notify}, {@code kiln audit} and
 * {@code kiln sweep}, as a picocli mixin. Each defaults to an environment variable, so one
 * environment configures every Kiln command.
 *
 * <p>The secret key never comes from a command-line value, which every user of the machine can
 * read (ps, /proc, shell history): it comes from {@code --s3-secret-key-file} or
 * {@code $KILN_S3_SECRET_KEY}. {@code --s3-secret-key VALUE} is refused with a message naming both.
 */
public final class S3Options {
  /** Environment variable holding the secret key itself. */
  public static final String SECRET_KEY_ENV = "KILN_S3_SECRET_KEY";

  @Spec(Spec.Target.MIXEE) CommandSpec mixee;

  private final UnaryOperator<String> env;

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
      description = "Access key id; its secret comes from --s3-secret-key-file or $KILN_S3_SECRET_KEY."
          + " Default: $KILN_S3_ACCESS_KEY, else the AWS default credential chain.")
  String accessKey;

  @Option(names = "--s3-secret-key-file", paramLabel = "FILE", defaultValue = "${env:KILN_S3_SECRET_KEY_FILE}",
      description = "File holding the secret key for --s3-access-key (surrounding white space is ignored)."
          + " Default: $KILN_S3_SECRET_KEY_FILE, else the key itself from $KILN_S3_SECRET_KEY.")
  Path secretKeyFile;

  /** The environment as {@link System#getenv(String)}. */
  public S3Options() {
    this(System::getenv);
  }

  /** For tests: {@code env} stands in for {@link System#getenv(String)}. */
  S3Options(UnaryOperator<String> env) {
    this.env = Objects.requireNonNull(env, "env");
  }

  @Option(names = "--s3-secret-key", paramLabel = "SECRET", hidden = true,
      description = "Refused: pass --s3-secret-key-file or set $KILN_S3_SECRET_KEY.")
  void refuseSecretOnCommandLine(String value) {
    if (value == null) {
      return; // picocli resetting the option, not a user passing it
    }
    throw new ParameterException(mixee.commandLine(), "--s3-secret-key is not accepted: a secret on the command"
        + " line is visible to every user of this machine. Put it in a file and pass --s3-secret-key-file FILE"
        + " (or $KILN_S3_SECRET_KEY_FILE), or set $" + SECRET_KEY_ENV);
  }

  /**
   * The settings, or empty when no bucket is set.
   *
   * @throws IllegalArgumentException from {@link S3Settings.Builder#build()}, or when the secret key
   *     file cannot be read or is empty, saying what to fix
   */
  public Optional<S3Settings> settings() {
    if (bucket == null || bucket.isBlank()) {
      return Optional.empty();
    }
    S3Settings.Builder builder = S3Settings.builder().setBucket(bucket).optRegion(region);
    if (endpoint != null) {
      builder.optEndpoint(endpoint);
    }
    String secretKey = secretKey();
    if (accessKey != null || secretKey != null) {
      builder.optCredentials(accessKey, secretKey);
    }
    return Optional.of(builder.build());
  }

  private String secretKey() {
    if (secretKeyFile == null) {
      String fromEnv = env.apply(SECRET_KEY_ENV);
      return fromEnv == null || fromEnv.isEmpty() ? null : fromEnv;
    }
    String secret;
    try {
      secret = Files.readString(secretKeyFile, StandardCharsets.UTF_8).strip();
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("--s3-secret-key-file " + secretKeyFile + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException("--s3-secret-key-file " + secretKeyFile + ": cannot read: " + e);
    }
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("--s3-secret-key-file " + secretKeyFile + " is empty: write the secret"
          + " key into it");
    }
    return secret;
  }
}
