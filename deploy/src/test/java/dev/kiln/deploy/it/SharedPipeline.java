package dev.kiln.deploy.it;

import dev.kiln.deploy.flink.KilnCluster;
import dev.kiln.deploy.flink.StackConfig;
import dev.kiln.deploy.local.LocalStack;
import dev.kiln.deploy.stack.SharedStack;
import dev.kiln.storage.ObjectStore;
import dev.kiln.storage.S3Clients;
import dev.kiln.safety.job.SafetyJobOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;

/**
 * Both Kiln jobs running on one MiniCluster against the shared stack, started once per JVM.
 * Every end-to-end test submits its own batch id, so tests never see each other's results.
 * One pair of jobs only: two render jobs on the same topic would each render every request.
 */
public final class SharedPipeline {
  /** The safety job's block list: tests append hashes; the job re-reads the file when it changes. */
  public static final Path BLOCK_LIST = Path.of("target", "it-block-list.txt");
  private static SharedPipeline instance;

  public final LocalStack stack;
  public final KilnCluster cluster;
  public final JobID renderJob;
  public final JobID safetyJob;
  public final ObjectStore store;

  private SharedPipeline(LocalStack stack, KilnCluster cluster, JobID renderJob, JobID safetyJob) {
    this.stack = stack;
    this.cluster = cluster;
    this.renderJob = renderJob;
    this.safetyJob = safetyJob;
    this.store = new ObjectStore(S3Clients.create(stack.s3Settings()), stack.bucket());
  }

  public static synchronized SharedPipeline get() throws Exception {
    if (instance == null) {
      LocalStack stack = SharedStack.get();
      Configuration config = StackConfig.of(stack, Path.of(System.getProperty("kiln.models.dir", "../models")));
      config.set(SafetyJobOptions.IMAGE_POLICY_FILE, Path.of("src/test/resources/it/image-policy.json")
          .toAbsolutePath().toString());
      Files.deleteIfExists(BLOCK_LIST);
      config.set(SafetyJobOptions.BLOCK_LIST_FILE, BLOCK_LIST.toAbsolutePath().toString());
      KilnCluster cluster = KilnCluster.start(4);
      JobID render = cluster.submitRenderJob(config);
      JobID safety = cluster.submitSafetyJob(config);
      cluster.awaitRunning(render, Duration.ofMinutes(2));
      cluster.awaitRunning(safety, Duration.ofMinutes(2));
      instance = new SharedPipeline(stack, cluster, render, safety);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          cluster.close();
        } catch (Exception e) {
          // The JVM is exiting; a cluster that does not stop cleanly changes nothing.
        }
      }, "kiln-it-cluster-shutdown"));
    }
    return instance;
  }
}
