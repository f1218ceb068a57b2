package dev.kiln.deploy.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Starts a {@link KilnStack} for a test: every process on free loopback ports, data under
 * {@code target/it-cluster/{name}}, checkpoints every second. A JVM shutdown hook kills whatever
 * is still running, so a failed test leaves no process behind.
 */
final class ProcessCluster {
  private ProcessCluster() {}

  static Path repoDir() {
    return Path.of(System.getProperty("kiln.repo.dir", "..")).toAbsolutePath().normalize();
  }

  static KilnStack start(String name, int taskManagers) throws IOException {
    Path dataDir = Path.of("target", "it-cluster", name).toAbsolutePath();
    deleteTree(dataDir);
    StackSpec spec = StackSpec.defaults(dataDir, repoDir()).withPorts(0, 0, 0, 0).withTaskManagers(taskManagers)
        .withCheckpointInterval(Duration.ofSeconds(1));
    KilnStack stack = KilnStack.up(spec, true, System.out);
    Runtime.getRuntime().addShutdownHook(new Thread(stack::killAll, "kill-" + name));
    return stack;
  }

  /**
   * Every OS process whose command line names {@code dataDir}. Read from {@code /proc}: the JDK's
   * {@code ProcessHandle.Info.commandLine()} cuts long command lines (Flink's classpath) short.
   */
  static List<ProcessHandle> processesUnder(Path dataDir) {
    String dir = dataDir.toAbsolutePath().normalize().toString();
    return ProcessHandle.allProcesses().filter(p -> commandLine(p).contains(dir)).toList();
  }

  /** The full command line of {@code p}, arguments separated by spaces; empty if it is gone. */
  static String commandLine(ProcessHandle p) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(p.pid()), "cmdline")),
          java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
