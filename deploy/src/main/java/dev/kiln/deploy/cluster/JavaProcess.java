package dev.kiln.deploy.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One JVM of the stack, started as its own OS process in its own session, so that it outlives the
 * {@code kiln} command that started it and a Ctrl-C in that terminal does not reach it. Its
 * standard output and error go to a log file; standard input is empty.
 */
public final class JavaProcess {
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private final String name;
  private final List<String> command;
  private final Path logFile;

  private JavaProcess(String name, List<String> command, Path logFile) {
    this.name = name;
    this.command = List.copyOf(command);
    this.logFile = logFile;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String name() {
    return name;
  }

  public List<String> command() {
    return command;
  }

  /**
   * Starts the process.
   *
   * @throws IOException if it cannot be started; the message names the process and its log
   */
  public ProcessHandle start() throws IOException {
    Files.createDirectories(logFile.getParent());
    List<String> full = new ArrayList<>();
    if (Files.isExecutable(SETSID)) {
      // --fork is not used: the pid must stay the JVM's own, for kill and for ProcessHandle.
      full.add(SETSID.toString());
    }
    full.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(full)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IOException("cannot start " + name + " (" + String.join(" ", command.subList(0, 1)) + "): "
          + e.getMessage(), e);
    }
    return p.toHandle();
  }

  /** The log file this process writes to. */
  public Path logFile() {
    return logFile;
  }

  /** The {@code java} binary of the running JVM, so every process of the stack runs on the same Java. */
  public static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * Stops {@code process}: SIGTERM, then SIGKILL after {@code grace}.
   *
   * @return true if it had to be killed
   */
  public static boolean stop(ProcessHandle process, Duration grace) {
    if (!process.isAlive()) {
      return false;
    }
    process.destroy();
    try {
      process.onExit().get(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      return false;
    } catch (java.util.concurrent.TimeoutException e) {
      process.destroyForcibly();
      awaitExit(process, Duration.ofSeconds(10));
      return true;
    } catch (java.util.concurrent.ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return true;
    }
  }

  /** {@code kill -9}: the process gets no chance to clean up, as in a machine or OOM-killer crash. */
  public static void kill(ProcessHandle process) {
    process.destroyForcibly();
    awaitExit(process, Duration.ofSeconds(10));
  }

  private static void awaitExit(ProcessHandle process, Duration timeout) {
    try {
      process.onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      // Reported by the caller through isAlive().
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The running process with {@code pid} if it is the one started at {@code startedAtMillis}, not a reused pid. */
  public static Optional<ProcessHandle> find(long pid, long startedAtMillis) {
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> p.info().startInstant()
        .map(i -> Math.abs(i.toEpochMilli() - startedAtMillis) < 2_000).orElse(true));
  }

  /** Builder; {@code setName}, {@code setMainClass}, {@code setClasspath} and {@code setLogFile} are required. */
  public static final class Builder {
    private String name;
    private String mainClass;
    private String classpath;
    private Path logFile;
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> args = new ArrayList<>();

    private Builder() {}

    public Builder setName(String name) {
      this.name = name;
      return this;
    }

    public Builder setMainClass(String mainClass) {
      this.mainClass = mainClass;
      return this;
    }

    public Builder setClasspath(String classpath) {
      this.classpath = classpath;
      return this;
    }

    public Builder setLogFile(Path logFile) {
      this.logFile = logFile;
      return this;
    }

    public Builder optJvmArgs(List<String> jvmArgs) {
      this.jvmArgs.addAll(jvmArgs);
      return this;
    }

    public Builder optArgs(List<String> args) {
      this.args.addAll(args);
      return this;
    }

    public JavaProcess build() {
      if (name == null || mainClass == null || classpath == null || logFile == null) {
        throw new IllegalArgumentException("a JavaProcess needs setName, setMainClass, setClasspath and setLogFile");
      }
      List<String> command = new ArrayList<>();
      command.add(javaBinary());
      command.addAll(jvmArgs);
      command.add("-cp");
      command.add(classpath);
      command.add(mainClass);
      command.addAll(args);
      return new JavaProcess(name, command, logFile);
    }
  }
}
