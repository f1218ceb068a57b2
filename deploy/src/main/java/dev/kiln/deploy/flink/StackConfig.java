package dev.kiln.deploy.flink;

import dev.kiln.wire.KilnOptions;
import dev.kiln.deploy.local.LocalStack;
import dev.kiln.render.job.RenderJobOptions;
import dev.kiln.storage.S3Settings;
import dev.kiln.storage.StorageOptions;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;

/** The job configuration that points both Kiln jobs at an embedded local stack. */
public final class StackConfig {
  private StackConfig() {}

  public static Configuration of(LocalStack stack, Path modelsDir) {
    Configuration c = new Configuration();
    c.set(KilnOptions.BOOTSTRAP_SERVERS, stack.bootstrapServers());
    c.set(KilnOptions.MODELS_DIR, modelsDir.toAbsolutePath().toString());
    // Results become visible on checkpoints (exactly-once); a short interval keeps the local run responsive.
    c.set(KilnOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
    S3Settings s3 = stack.s3Settings();
    c.set(StorageOptions.BUCKET, s3.bucket());
    s3.endpoint().ifPresent(e -> c.set(StorageOptions.ENDPOINT, e.toString()));
    c.set(StorageOptions.REGION, s3.region());
    c.set(StorageOptions.PATH_STYLE, s3.pathStyle());
    s3.accessKey().ifPresent(k -> c.set(StorageOptions.ACCESS_KEY, k));
    s3.secretKey().ifPresent(k -> c.set(StorageOptions.SECRET_KEY, k));
    return c;
  }
}
