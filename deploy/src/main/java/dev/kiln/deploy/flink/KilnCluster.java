package dev.kiln.deploy.flink;

import dev.kiln.render.job.RenderJob;
import dev.kiln.safety.job.SafetyJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flink MiniCluster running Kiln's two jobs side by side, as a session cluster would:
 * one JobManager, one TaskManager whose slots both jobs share. Used by the local run and by
 * every end-to-end test.
 */
public final class KilnCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KilnCluster.class);
  private final MiniCluster cluster;

  private KilnCluster(MiniCluster cluster) {
    this.cluster = cluster;
  }

  /** Starts a cluster with {@code slots} task slots in one TaskManager. */
  public static KilnCluster start(int slots) throws Exception {
    long t0 = System.nanoTime();
    Configuration conf = new Configuration();
    conf.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
    MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
        .setConfiguration(conf)
        .setNumTaskManagers(1)
        .setNumSlotsPerTaskManager(slots)
        .withRandomPorts()
        .build());
    cluster.start();
    LOG.info("Flink MiniCluster with {} slots started in {} ms", slots, (System.nanoTime() - t0) / 1_000_000);
    return new KilnCluster(cluster);
  }

  public JobID submitRenderJob(Configuration config) throws Exception {
    return submitRenderJob(config, Optional.empty());
  }

  /** Submits the render job, restored from {@code restoreFrom} (a retained checkpoint) when present. */
  public JobID submitRenderJob(Configuration config, Optional<Path> restoreFrom) throws Exception {
    StreamExecutionEnvironment env = environment(config);
    RenderJob.onKafka(config).attach(env);
    return submit(env, "kiln-render", restoreFrom);
  }

  public JobID submitSafetyJob(Configuration config) throws Exception {
    return submitSafetyJob(config, Optional.empty());
  }

  /** Submits the safety job, restored from {@code restoreFrom} (a retained checkpoint) when present. */
  public JobID submitSafetyJob(Configuration config, Optional<Path> restoreFrom) throws Exception {
    StreamExecutionEnvironment env = environment(config);
    SafetyJob.onKafka(config).attach(env);
    return submit(env, "kiln-safety", restoreFrom);
  }

  /** Submits whatever {@code env} holds as a job named {@code name}. */
  public JobID submit(StreamExecutionEnvironment env, String name) throws Exception {
    return submit(env, name, Optional.empty());
  }

  private JobID submit(StreamExecutionEnvironment env, String name, Optional<Path> restoreFrom) throws Exception {
    StreamGraph graph = env.getStreamGraph();
    graph.setJobName(name);
    restoreFrom.ifPresent(p -> graph.setSavepointRestoreSettings(
        SavepointRestoreSettings.forPath(p.toUri().toString(), false)));
    JobID id = cluster.submitJob(graph).get(2, TimeUnit.MINUTES).getJobID();
    LOG.info("submitted {} as {}", name, id);
    return id;
  }

  /**
   * {@code config} with checkpoints written to {@code dir} and kept when the job is cancelled or
   * its process dies, so that the next start can restore from them.
   */
  public static Configuration retainingCheckpointsIn(Configuration config, Path dir) {
    Configuration c = new Configuration(config);
    c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.toUri().toString());
    c.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    return c;
  }

  /** An environment with Kiln's restart strategy: a failed task restarts from the last checkpoint. */
  public static StreamExecutionEnvironment environment(Configuration config) {
    Configuration conf = new Configuration(config);
    if (!conf.contains(CoreOptions.DEFAULT_PARALLELISM)) {
      // Outside a cluster Flink defaults to one subtask per core; on a small machine the two jobs
      // (render: default group + render group, safety: one) would then need more slots than there are.
      conf.set(CoreOptions.DEFAULT_PARALLELISM, 1);
    }
    if (!conf.contains(RestartStrategyOptions.RESTART_STRATEGY)) {
      conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
      conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
      conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
    }
    return StreamExecutionEnvironment.getExecutionEnvironment(conf);
  }

  public JobStatus status(JobID job) throws Exception {
    return cluster.getJobStatus(job).get(30, TimeUnit.SECONDS);
  }

  /** How often any task of the job was restarted: 0 when it ran without failing. */
  public int restarts(JobID job) throws Exception {
    AccessExecutionGraph graph = cluster.getExecutionGraph(job).get(30, TimeUnit.SECONDS);
    int restarts = 0;
    for (AccessExecutionVertex v : graph.getAllExecutionVertices()) {
      restarts = Math.max(restarts, v.getCurrentExecutionAttempt().getAttemptNumber());
    }
    return restarts;
  }

  /** Waits until every task of the job is running. */
  public void awaitRunning(JobID job, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      AccessExecutionGraph graph = cluster.getExecutionGraph(job).get(30, TimeUnit.SECONDS);
      if (graph.getState().isTerminalState()) {
        throw new IllegalStateException("job " + graph.getJobName() + " ended as " + graph.getState()
            + (graph.getFailureInfo() == null ? "" : ": " + graph.getFailureInfo().getExceptionAsString()));
      }
      boolean allRunning = true;
      for (AccessExecutionVertex v : graph.getAllExecutionVertices()) {
        allRunning &= v.getExecutionState() == org.apache.flink.runtime.execution.ExecutionState.RUNNING;
      }
      if (allRunning) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("job " + job + " not running after " + timeout);
  }

  public void cancel(JobID job) throws Exception {
    cluster.cancelJob(job).get(1, TimeUnit.MINUTES);
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
