package dev.kiln.deploy.flink;

import dev.kiln.wire.KilnOptions;
import dev.kiln.deploy.local.LocalStack;
import dev.kiln.render.job.RenderJobOptions;
import dev.kiln.safety.job.SafetyJobOptions;
import dev.kiln.provenance.c2pa.LocalCa;
import dev.kiln.storage.S3Settings;
import dev.kiln.storage.StorageOptions;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.TimeUtils;

/** The job configuration that points both Kiln jobs at an embedded local stack. */
public final class StackConfig {
  /**
   * As {@code kiln local --checkpoint-interval} takes it: results become visible on checkpoints
   * (exactly-once), and a short interval keeps the local run responsive.
   */
  public static final String DEFAULT_CHECKPOINT_INTERVAL = "1 s";

  private StackConfig() {}

  public static Configuration of(LocalStack stack, Path modelsDir) {
    Configuration c = new Configuration();
    c.set(KilnOptions.BOOTSTRAP_SERVERS, stack.bootstrapServers());
    c.set(KilnOptions.MODELS_DIR, modelsDir.toAbsolutePath().toString());
    c.set(KilnOptions.CHECKPOINT_INTERVAL, TimeUtils.parseDuration(DEFAULT_CHECKPOINT_INTERVAL));
    S3Settings s3 = stack.s3Settings();
    c.set(StorageOptions.BUCKET, s3.bucket());
    s3.endpoint().ifPresent(e -> c.set(StorageOptions.ENDPOINT, e.toString()));
    c.set(StorageOptions.REGION, s3.region());
    c.set(StorageOptions.PATH_STYLE, s3.pathStyle());
    s3.accessKey().ifPresent(k -> c.set(StorageOptions.ACCESS_KEY, k));
    s3.secretKey().ifPresent(k -> c.set(StorageOptions.SECRET_KEY, k));
    signWithLocalCa(c, stack.rootDirectory().resolve(LOCAL_CA_DIR));
    return c;
  }

  /** Where under a data dir {@code kiln local} and {@code kiln up} keep their local CA. */
  public static final String LOCAL_CA_DIR = "provenance";

  /**
   * Points the safety job's C2PA signing at the local CA under {@code dir}, made on first use:
   * {@code ca.pem} is the trust anchor to give {@code kiln verify} and C2PA validators.
   */
  public static LocalCa.Material signWithLocalCa(Configuration c, Path dir) {
    LocalCa.Material ca = LocalCa.createIfAbsent(dir.toAbsolutePath());
    c.set(SafetyJobOptions.PROVENANCE_KEYSTORE, ca.keystore().toString());
    c.set(SafetyJobOptions.PROVENANCE_KEYSTORE_PASSWORD_FILE, ca.passwordFile().toString());
    return ca;
  }
}
