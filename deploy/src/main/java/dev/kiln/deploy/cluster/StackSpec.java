package dev.kiln.deploy.cluster;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.util.TimeUtils;

/**
 * What {@code kiln up} starts: where its data lives, how many TaskManagers, and the ports. Ports 0
 * pick free ones (the tests do); the defaults are the ones the other commands assume, so that
 * {@code kiln submit} and {@code kiln watch} need no flags.
 *
 * @param dataDir everything the stack keeps: broker log, objects, checkpoints, logs, its state file
 * @param repoDir the Kiln checkout: the job jars and the Flink classpath are read from its build output
 * @param checkpointInterval how often both jobs checkpoint; results become visible on each
 */
public record StackSpec(Path dataDir, Path repoDir, Path modelsDir, int taskManagers, int slotsPerTaskManager,
    int kafkaPort, int s3Port, int restPort, int apiPort, Duration checkpointInterval) {

  public static final int DEFAULT_KAFKA_PORT = 9092;
  public static final int DEFAULT_S3_PORT = 9000;
  public static final int DEFAULT_REST_PORT = 8081;
  public static final int DEFAULT_API_PORT = 8080;
  public static final int DEFAULT_TASK_MANAGERS = 2;
  /**
   * As {@code kiln up --checkpoint-interval} takes it: results show about one to two intervals after
   * the model is done, twice as soon as the jobs' own default (5 s) at more checkpoints.
   */
  public static final String DEFAULT_CHECKPOINT_INTERVAL = "2 s";
  /**
   * Three per TaskManager: the render job takes two slots (its source side and its own render slot
   * sharing group), the safety job one, so with two TaskManagers either one can die and the jobs
   * still find slots on the other.
   */
  public static final int DEFAULT_SLOTS = 3;

  public StackSpec {
    if (taskManagers < 1 || taskManagers > 16) {
      throw new IllegalArgumentException("--taskmanagers must be 1 to 16, got " + taskManagers);
    }
    if (slotsPerTaskManager < 1 || slotsPerTaskManager > 64) {
      throw new IllegalArgumentException("--slots must be 1 to 64, got " + slotsPerTaskManager);
    }
    for (int port : new int[] {kafkaPort, s3Port, restPort, apiPort}) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port " + port + " is not a TCP port: use 1-65535, or 0 for a free one");
      }
    }
    if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
      throw new IllegalArgumentException("--checkpoint-interval must be positive, got "
          + checkpointInterval.toMillis() + " ms");
    }
    dataDir = dataDir.toAbsolutePath().normalize();
    repoDir = repoDir.toAbsolutePath().normalize();
    modelsDir = modelsDir.toAbsolutePath().normalize();
  }

  /** The defaults, with everything under {@code dataDir}. */
  public static StackSpec defaults(Path dataDir, Path repoDir) {
    return new StackSpec(dataDir, repoDir, repoDir.resolve("models"), DEFAULT_TASK_MANAGERS, DEFAULT_SLOTS,
        DEFAULT_KAFKA_PORT, DEFAULT_S3_PORT, DEFAULT_REST_PORT, DEFAULT_API_PORT,
        TimeUtils.parseDuration(DEFAULT_CHECKPOINT_INTERVAL));
  }

  public StackSpec withPorts(int kafka, int s3, int rest, int api) {
    return new StackSpec(dataDir, repoDir, modelsDir, taskManagers, slotsPerTaskManager, kafka, s3, rest, api,
        checkpointInterval);
  }

  public StackSpec withTaskManagers(int n) {
    return new StackSpec(dataDir, repoDir, modelsDir, n, slotsPerTaskManager, kafkaPort, s3Port, restPort, apiPort,
        checkpointInterval);
  }

  public StackSpec withModelsDir(Path dir) {
    return new StackSpec(dataDir, repoDir, dir, taskManagers, slotsPerTaskManager, kafkaPort, s3Port, restPort,
        apiPort, checkpointInterval);
  }

  public StackSpec withCheckpointInterval(Duration interval) {
    return new StackSpec(dataDir, repoDir, modelsDir, taskManagers, slotsPerTaskManager, kafkaPort, s3Port, restPort,
        apiPort, interval);
  }

  /** The shaded render job jar that {@code mvn package} builds. */
  public Path renderJar() {
    return repoDir.resolve("render-job/target/kiln-render-job.jar");
  }

  /** The shaded safety job jar that {@code mvn package} builds. */
  public Path safetyJar() {
    return repoDir.resolve("safety-job/target/kiln-safety-job.jar");
  }

  /** Flink's own classpath, written by the {@code deploy/flink-dist} module's build. */
  public Path flinkClasspathFile() {
    return repoDir.resolve("deploy/flink-dist/target/flink.classpath");
  }

  /** Retained checkpoints of one job: {@code checkpoints/render} or {@code checkpoints/safety}. */
  public Path checkpointDir(String job) {
    return dataDir.resolve("checkpoints").resolve(job);
  }

  public Path logDir() {
    return dataDir.resolve("logs");
  }

  public Path flinkConfDir() {
    return dataDir.resolve("flink/conf");
  }

  public Path stateFile() {
    return dataDir.resolve("run/stack.json");
  }

  public Path apiKeysFile() {
    return dataDir.resolve("api-keys.txt");
  }
}
