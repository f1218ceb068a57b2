package dev.kiln.deploy.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the checkpoint a job restarts from. Flink writes a job's checkpoints to
 * {@code {dir}/{jobId}/chk-{n}/} and a completed one has a {@code _metadata} file; with retention on
 * cancellation they stay after the job and its cluster are gone. A directory without
 * {@code _metadata} is a checkpoint that was still being written when the process died.
 */
public final class RetainedCheckpoints {
  private RetainedCheckpoints() {}

  /** The newest completed checkpoint under {@code dir}, across every job that wrote there. */
  public static Optional<Path> latest(Path dir) {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> jobs = Files.list(dir)) {
      return jobs.filter(Files::isDirectory)
          .flatMap(RetainedCheckpoints::completed)
          .max(Comparator.comparing(RetainedCheckpoints::completedAt))
          .map(metadata -> metadata.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints under " + dir, e);
    }
  }

  /**
   * Deletes the checkpoints of every job under {@code dir} but the one that holds the latest
   * completed checkpoint: each start runs a new job that restores from there, and Flink keeps only
   * its own job's checkpoints in check.
   *
   * @return the job directories deleted
   */
  public static List<Path> pruneOlderJobs(Path dir) throws IOException {
    Optional<Path> latest = latest(dir);
    if (latest.isEmpty()) {
      return List.of();
    }
    Path keep = latest.get().getParent();
    List<Path> deleted = new ArrayList<>();
    try (Stream<Path> jobs = Files.list(dir)) {
      for (Path job : jobs.filter(Files::isDirectory).filter(j -> !j.equals(keep)).toList()) {
        try (Stream<Path> tree = Files.walk(job)) {
          for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
        deleted.add(job);
      }
    }
    return deleted;
  }

  private static Stream<Path> completed(Path jobDir) {
    try (Stream<Path> chks = Files.list(jobDir)) {
      return chks.filter(p -> p.getFileName().toString().startsWith("chk-"))
          .map(p -> p.resolve("_metadata"))
          .filter(Files::isRegularFile)
          .toList()
          .stream();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints under " + jobDir, e);
    }
  }

  private static FileTime completedAt(Path metadata) {
    try {
      return Files.getLastModifiedTime(metadata);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
