package dev.kiln.deploy.cli;

import dev.kiln.deploy.cluster.FlinkRest;
import dev.kiln.deploy.cluster.JavaProcess;
import dev.kiln.deploy.cluster.KilnStack;
import dev.kiln.deploy.cluster.StackState;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kiln status}: every process of a {@code kiln up} stack, and each job's state, restarts and last checkpoint. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show the processes and jobs of the stack `kiln up` started. Exit code 0: all running;"
        + " 1: something is down; 3: no stack recorded.")
public final class StatusCommand implements Callable<Integer> {
  @Option(names = "--data-dir", defaultValue = "kiln-data", description = "The stack's data dir (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Override
  public Integer call() throws IOException {
    PrintStream out = System.out;
    Path repo = Path.of(System.getProperty("kiln.repo.dir", ".")).toAbsolutePath().normalize();
    Optional<KilnStack> found = KilnStack.find(dataDir, repo);
    if (found.isEmpty()) {
      out.println("no stack recorded under " + dataDir.toAbsolutePath() + " (start one with `kiln up`)");
      return 3;
    }
    KilnStack stack = found.get();
    StackState s = stack.state();
    boolean allUp = true;
    out.println("processes:");
    for (StackState.Service p : s.services) {
      boolean up = JavaProcess.find(p.pid(), p.startedAtMillis()).isPresent();
      allUp &= up;
      out.printf("  %-14s pid %-7d %s%n", p.name(), p.pid(), up ? "running" : "NOT RUNNING (log: " + p.log() + ")");
    }
    FlinkRest rest = stack.rest();
    out.println("jobs (" + s.restUrl + "):");
    for (Map.Entry<String, String> job : s.jobs.entrySet()) {
      try {
        String state = rest.job(job.getValue()).path("state").asText();
        FlinkRest.CheckpointInfo cp = rest.checkpoints(job.getValue());
        allUp &= state.equals("RUNNING");
        out.printf("  %-7s %s %-10s restarts %d, checkpoints %d (failed %d), last %s%n", job.getKey(), job.getValue(),
            state, rest.restarts(job.getValue()), cp.completed(), cp.failed(),
            cp.latestId().map(id -> "#" + id + " at " + Instant.ofEpochMilli(cp.latestAtMillis().orElse(0L))
                + " " + cp.latestPath().orElse("")).orElse("none yet"));
        cp.restoredFrom().ifPresent(r -> out.println("          restored from " + r));
      } catch (IOException e) {
        allUp = false;
        out.printf("  %-7s %s unknown: %s%n", job.getKey(), job.getValue(), e.getMessage());
      }
    }
    return allUp ? 0 : 1;
  }
}
