package dev.kiln.deploy.cluster;

import dev.kiln.wire.KilnOptions;
import dev.kiln.deploy.cli.ServiceCommand;
import dev.kiln.deploy.flink.StackConfig;
import dev.kiln.deploy.local.EmbeddedS3;
import dev.kiln.deploy.local.LocalStack;
import dev.kiln.deploy.local.Ports;
import dev.kiln.render.job.RenderJobOptions;
import dev.kiln.safety.job.SafetyJobOptions;
import dev.kiln.provenance.c2pa.LocalCa;
import dev.kiln.storage.StorageOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Kiln as separate OS processes on one machine: a Kafka broker, an S3 server, a Flink standalone
 * session cluster (one JobManager, N TaskManagers, on Flink's jars from Maven Central and a config
 * generated under the data dir), the HTTP API, and both jobs submitted as shaded jars over Flink's
 * REST API. This is {@code kiln up}; {@code kiln down} and {@code kiln status} find it again through
 * its {@link StackState} file, and the fault-injection tests kill and restart its processes.
 *
 * <p>Both jobs checkpoint to {@code {dataDir}/checkpoints/{render,safety}} and keep their
 * checkpoints when cancelled or killed; every start restores each job from its latest completed
 * checkpoint, so the render job's dedupe state, the safety job's near-duplicate state and
 * everything in flight survive a restart.
 */
public final class KilnStack {
  public static final String BROKER = "broker";
  public static final String S3 = "s3";
  public static final String JOBMANAGER = "jobmanager";
  public static final String API = "api";
  public static final String RENDER = "render";
  public static final String SAFETY = "safety";
  private static final String BASH_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
  private static final String BASH_UTILS_RESULT = "BASH_JAVA_UTILS_EXEC_RESULT:";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);
  /** The JVM options Flink's scripts pass on Java 17 (env.java.default-opts.all), and Kiln's own. */
  private static final List<String> OPENS = List.of("--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/java.text=ALL-UNNAMED",
      "--add-opens=java.base/java.time=ALL-UNNAMED", "--add-opens=java.sql/java.sql=ALL-UNNAMED",
      "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED");

  private final StackSpec spec;
  private final StackState state;

  KilnStack(StackSpec spec, StackState state) {
    this.spec = spec;
    this.state = state;
  }

  public StackSpec spec() {
    return spec;
  }

  public StackState state() {
    return state;
  }

  public FlinkRest rest() {
    return new FlinkRest(URI.create(state.restUrl));
  }

  /** The job id of {@link #RENDER} or {@link #SAFETY}. */
  public String jobId(String job) {
    String id = state.jobs.get(job);
    if (id == null) {
      throw new IllegalStateException("no " + job + " job in " + spec.stateFile());
    }
    return id;
  }

  public String taskManagerName(int i) {
    return "taskmanager-" + i;
  }

  /**
   * Starts every process and both jobs, and returns once the jobs run.
   *
   * @param restore restore each job from its latest retained checkpoint, if it has one
   * @throws IllegalStateException if a stack already runs on this data dir, a port is taken, or a
   *     process does not come up; whatever had started is stopped again
   */
  public static KilnStack up(StackSpec spec, boolean restore, PrintStream out) throws IOException {
    checkBuilt(spec);
    Optional<StackState> old = StackState.load(spec.stateFile());
    if (old.isPresent() && old.get().services.stream()
        .anyMatch(s -> JavaProcess.find(s.pid(), s.startedAtMillis()).isPresent())) {
      throw new IllegalStateException("a Kiln stack already runs on " + spec.dataDir() + " (see `kiln status`);"
          + " stop it with `kiln down --data-dir " + spec.dataDir() + "` first");
    }
    Files.createDirectories(spec.dataDir().resolve("tmp/djl"));
    StackState state = new StackState();
    int kafkaPort = port(spec.kafkaPort(), "--kafka-port");
    int s3Port = port(spec.s3Port(), "--s3-port");
    int restPort = port(spec.restPort(), "--rest-port");
    int apiPort = port(spec.apiPort(), "--api-port");
    state.bootstrapServers = "127.0.0.1:" + kafkaPort;
    state.s3Endpoint = "http://127.0.0.1:" + s3Port;
    state.bucket = LocalStack.DEFAULT_BUCKET;
    state.s3AccessKey = EmbeddedS3.DEFAULT_ACCESS_KEY;
    state.s3SecretKey = EmbeddedS3.DEFAULT_SECRET_KEY;
    state.restUrl = "http://127.0.0.1:" + restPort;
    state.apiUrl = "http://127.0.0.1:" + apiPort;
    state.apiKey = apiKey(spec.apiKeysFile());
    KilnStack stack = new KilnStack(spec, state);
    try {
      stack.launchAll(kafkaPort, s3Port, restPort, apiPort, out);
      stack.submitJobs(restore, out);
    } catch (IOException | RuntimeException e) {
      out.println("kiln up failed: stopping what had started");
      stack.stopProcesses(out);
      throw e;
    }
    return stack;
  }

  /** The stack recorded under {@code dataDir}, if any. */
  public static Optional<KilnStack> find(Path dataDir, Path repoDir) throws IOException {
    StackSpec spec = StackSpec.defaults(dataDir, repoDir);
    return StackState.load(spec.stateFile()).map(s -> new KilnStack(spec, s));
  }

  private void launchAll(int kafkaPort, int s3Port, int restPort, int apiPort, PrintStream out) throws IOException {
    String kilnClasspath = System.getProperty("java.class.path");
    List<String> kilnJvm = kilnJvmArgs();
    launch(JavaProcess.builder().setName(BROKER).setClasspath(kilnClasspath)
        .setMainClass("dev.kiln.deploy.KilnCli").optJvmArgs(withHeap(kilnJvm, "768m"))
        .optArgs(List.of("service", "broker", "--data-dir", spec.dataDir().resolve("kafka").toString(),
            "--port", String.valueOf(kafkaPort), "--controller-port", String.valueOf(Ports.freeLoopbackPort())))
        .setLogFile(spec.logDir().resolve("broker.log")).build(), out);
    launch(JavaProcess.builder().setName(S3).setClasspath(kilnClasspath)
        .setMainClass("dev.kiln.deploy.KilnCli").optJvmArgs(withHeap(kilnJvm, "512m"))
        .optArgs(List.of("service", "s3", "--data-dir", spec.dataDir().resolve("s3").toString(),
            "--port", String.valueOf(s3Port), "--bucket", state.bucket))
        .setLogFile(spec.logDir().resolve("s3.log")).build(), out);

    FlinkConf.write(spec, restPort);
    String flinkClasspath = Files.readString(spec.flinkClasspathFile()).trim();
    List<String> jmParams = bashJavaUtils("GET_JM_RESOURCE_PARAMS", flinkClasspath);
    launch(flinkProcess(JOBMANAGER, "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
        flinkClasspath, jmParams, List.of()), out);
    List<String> tmParams = bashJavaUtils("GET_TM_RESOURCE_PARAMS", flinkClasspath);
    for (int i = 1; i <= spec.taskManagers(); i++) {
      launch(flinkProcess(taskManagerName(i), "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
          flinkClasspath, tmParams, List.of("-D", "taskmanager.resource-id=" + taskManagerName(i))), out);
    }

    launch(JavaProcess.builder().setName(API).setClasspath(kilnClasspath)
        .setMainClass("dev.kiln.deploy.KilnCli").optJvmArgs(withHeap(kilnJvm, "512m"))
        .optArgs(List.of("serve", "--host", "127.0.0.1", "--port", String.valueOf(apiPort),
            "--api-keys", spec.apiKeysFile().toString(), "--bootstrap-servers", state.bootstrapServers,
            "--s3-bucket", state.bucket, "--s3-endpoint", state.s3Endpoint,
            "--s3-access-key", state.s3AccessKey, "--s3-secret-key-file", secretFile(state.s3SecretKey)))
        .setLogFile(spec.logDir().resolve("api.log")).build(), out);
  }

  private JavaProcess flinkProcess(String name, String mainClass, String classpath, List<String> resourceParams,
      List<String> extraArgs) {
    List<String> jvm = new ArrayList<>(splitArgs(resourceParams.get(0)));
    jvm.addAll(OPENS);
    jvm.addAll(commonSystemProperties());
    jvm.add("-Dlog.file=" + spec.logDir().resolve(name + ".log"));
    jvm.add("-Dlog4j.configurationFile=" + spec.flinkConfDir().resolve("log4j.properties").toUri());
    jvm.add("-Dlog4j2.configurationFile=" + spec.flinkConfDir().resolve("log4j.properties").toUri());
    List<String> args = new ArrayList<>(List.of("--configDir", spec.flinkConfDir().toString()));
    args.addAll(splitArgs(resourceParams.get(1)));
    args.addAll(extraArgs);
    return JavaProcess.builder().setName(name).setClasspath(classpath).setMainClass(mainClass).optJvmArgs(jvm)
        .optArgs(args).setLogFile(spec.logDir().resolve(name + ".out")).build();
  }

  private List<String> commonSystemProperties() {
    Path tmp = spec.dataDir().resolve("tmp");
    return List.of("-Djava.io.tmpdir=" + tmp, "-DDJL_CACHE_DIR=" + tmp.resolve("djl"), "-Dai.djl.offline=true",
        "-Dai.djl.onnx.disable_alternative=true", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.kiln.schemas");
  }

  /** The -D and module options of this JVM, for the Kiln processes it starts (same logging, same opens). */
  private List<String> kilnJvmArgs() {
    List<String> args = new ArrayList<>();
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if ((a.startsWith("-D") && !a.startsWith("-Djava.io.tmpdir")) || a.startsWith("--add-opens")
          || a.startsWith("--add-exports")) {
        args.add(a);
      }
    }
    args.add("-Djava.io.tmpdir=" + spec.dataDir().resolve("tmp"));
    return args;
  }

  private static List<String> withHeap(List<String> args, String heap) {
    List<String> all = new ArrayList<>(List.of("-Xmx" + heap, "-XX:+UseSerialGC"));
    all.addAll(args);
    return all;
  }

  /** Starts {@code p}, records it, and waits until it serves. */
  private void launch(JavaProcess p, PrintStream out) throws IOException {
    // Flink processes log to {name}.log (log4j) and print to {name}.out; Kiln's services print to {name}.log.
    Path log = spec.logDir().resolve(p.name() + ".log");
    long logOffset = Files.exists(log) ? Files.size(log) : 0;
    ProcessHandle handle = p.start();
    long startedAt = handle.info().startInstant().map(i -> i.toEpochMilli()).orElse(System.currentTimeMillis());
    state.put(new StackState.Service(p.name(), handle.pid(), startedAt, p.command(), p.logFile().toString()));
    state.save(spec.stateFile());
    long t0 = System.nanoTime();
    awaitReady(p.name(), handle, log, logOffset);
    out.printf("  %-14s pid %-7d ready in %5.1f s   log %s%n", p.name(), handle.pid(),
        (System.nanoTime() - t0) / 1e9, log);
  }

  private void awaitReady(String name, ProcessHandle handle, Path log, long logOffset) throws IOException {
    BooleanSupplier ready = switch (name) {
      case BROKER, S3 -> () -> logContains(log, logOffset, ServiceCommand.READY);
      case JOBMANAGER -> () -> rest().isUp();
      case API -> () -> accepts(URI.create(state.apiUrl).getPort());
      // This TaskManager's own registration, not a count the JobManager may not have updated after a crash.
      default -> () -> logContains(log, logOffset, "Successful registration at resource manager");
    };
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!ready.getAsBoolean()) {
      if (!handle.isAlive()) {
        throw new IllegalStateException(name + " exited while starting; see " + log + tail(log));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(name + " not ready after " + START_TIMEOUT.toSeconds() + " s; see " + log
            + tail(log));
      }
      sleep(200);
    }
  }

  /** Uploads both jars and runs each job, restored from its latest retained checkpoint when {@code restore}. */
  public void submitJobs(boolean restore, PrintStream out) throws IOException {
    FlinkRest rest = rest();
    Map<String, String> entry = new LinkedHashMap<>();
    entry.put(RENDER, "dev.kiln.render.job.RenderJob");
    entry.put(SAFETY, "dev.kiln.safety.job.SafetyJob");
    for (Map.Entry<String, String> job : entry.entrySet()) {
      Path jar = job.getKey().equals(RENDER) ? spec.renderJar() : spec.safetyJar();
      Optional<Path> from = restore ? RetainedCheckpoints.latest(spec.checkpointDir(job.getKey())) : Optional.empty();
      String jarId = rest.uploadJar(jar);
      String id = rest.runJar(jarId, job.getValue(), jobArgs(job.getKey()), from);
      state.jobs.put(job.getKey(), id);
      state.save(spec.stateFile());
      out.println("  " + job.getKey() + " job " + id + " from " + jar.getFileName()
          + from.map(p -> ", restored from " + p).orElse(", no retained checkpoint: starting fresh"));
    }
    for (String job : entry.keySet()) {
      awaitRunning(job);
    }
  }

  /** Waits until every task of {@code job} runs. */
  public void awaitRunning(String job) throws IOException {
    String id = jobId(job);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    FlinkRest rest = rest();
    while (!rest.allTasksRunning(id)) {
      String s = rest.job(id).path("state").asText();
      if (s.equals("FAILED") || s.equals("CANCELED") || s.equals("FINISHED")) {
        throw new IllegalStateException(job + " job " + id + " is " + s + ": " + rest.rootException(id)
            + "; see " + spec.logDir().resolve(JOBMANAGER + ".log"));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(job + " job " + id + " not running after " + START_TIMEOUT.toSeconds()
            + " s (state " + s + "); see " + spec.logDir());
      }
      sleep(250);
    }
  }

  /** The job arguments: where the broker, the bucket and the models are, and where checkpoints go. */
  List<String> jobArgs(String job) {
    List<String> args = new ArrayList<>();
    args.add(KilnOptions.BOOTSTRAP_SERVERS.key() + "=" + state.bootstrapServers);
    args.add(KilnOptions.MODELS_DIR.key() + "=" + spec.modelsDir());
    args.add(KilnOptions.CHECKPOINT_INTERVAL.key() + "=" + spec.checkpointInterval().toMillis() + " ms");
    args.add(StorageOptions.BUCKET.key() + "=" + state.bucket);
    args.add(StorageOptions.ENDPOINT.key() + "=" + state.s3Endpoint);
    args.add(StorageOptions.PATH_STYLE.key() + "=true");
    args.add(StorageOptions.ACCESS_KEY.key() + "=" + state.s3AccessKey);
    args.add(StorageOptions.SECRET_KEY.key() + "=" + state.s3SecretKey);
    args.add("execution.checkpointing.dir=" + spec.checkpointDir(job).toUri());
    if (job.equals(SAFETY)) {
      LocalCa.Material ca = LocalCa.createIfAbsent(spec.dataDir().toAbsolutePath().resolve(StackConfig.LOCAL_CA_DIR));
      args.add(SafetyJobOptions.PROVENANCE_KEYSTORE.key() + "=" + ca.keystore());
      args.add(SafetyJobOptions.PROVENANCE_KEYSTORE_PASSWORD_FILE.key() + "=" + ca.passwordFile());
    }
    return args;
  }

  /**
   * Starts the whole stack again on the same data dir and the same ports, with both jobs restored
   * from their latest retained checkpoints: what an operator does after a crash of the machine.
   */
  public KilnStack upAgain(PrintStream out) throws IOException {
    StackSpec same = spec.withPorts(URI.create("kafka://" + state.bootstrapServers).getPort(),
        URI.create(state.s3Endpoint).getPort(), URI.create(state.restUrl).getPort(),
        URI.create(state.apiUrl).getPort());
    return up(same, true, out);
  }

  /** {@code kill -9} of one process of the stack, as a crash would. */
  public void kill(String name) {
    service(name).flatMap(s -> JavaProcess.find(s.pid(), s.startedAtMillis())).ifPresent(JavaProcess::kill);
  }

  /** SIGTERM of one process, as an operator stopping it would. */
  public void stop(String name) {
    service(name).flatMap(s -> JavaProcess.find(s.pid(), s.startedAtMillis()))
        .ifPresent(p -> JavaProcess.stop(p, STOP_GRACE));
  }

  /** Starts a stopped or killed process again with the command that first started it, and waits until it serves. */
  public void restart(String name, PrintStream out) throws IOException {
    StackState.Service s = service(name).orElseThrow(() -> new IllegalArgumentException("no service " + name));
    if (JavaProcess.find(s.pid(), s.startedAtMillis()).isPresent()) {
      throw new IllegalStateException(name + " still runs (pid " + s.pid() + ")");
    }
    List<String> command = s.command();
    JavaProcess p = JavaProcess.builder().setName(name).setClasspath(command.get(command.indexOf("-cp") + 1))
        .setMainClass(command.get(command.indexOf("-cp") + 2))
        .optJvmArgs(command.subList(1, command.indexOf("-cp")))
        .optArgs(command.subList(command.indexOf("-cp") + 3, command.size()))
        .setLogFile(Path.of(s.log())).build();
    launch(p, out);
  }

  /** {@code kill -9} of every process, the whole stack at once, as a power cut would. */
  public void killAll() {
    for (StackState.Service s : state.services) {
      JavaProcess.find(s.pid(), s.startedAtMillis()).ifPresent(ProcessHandle::destroyForcibly);
    }
    for (StackState.Service s : state.services) {
      JavaProcess.find(s.pid(), s.startedAtMillis()).ifPresent(JavaProcess::kill);
    }
  }

  /** Whether the process called {@code name} runs. */
  public boolean isRunning(String name) {
    return service(name).flatMap(s -> JavaProcess.find(s.pid(), s.startedAtMillis())).isPresent();
  }

  private Optional<StackState.Service> service(String name) {
    return state.service(name);
  }

  /**
   * Cancels both jobs (their checkpoints stay), stops every process, and removes the state file.
   *
   * @return the names of processes that had to be killed after {@link #STOP_GRACE}
   */
  public List<String> down(PrintStream out) throws IOException {
    FlinkRest rest = rest();
    if (rest.isUp()) {
      for (Map.Entry<String, String> job : state.jobs.entrySet()) {
        try {
          rest.cancel(job.getValue());
          out.println("  cancelled " + job.getKey() + " job " + job.getValue());
        } catch (IOException e) {
          out.println("  " + job.getKey() + " job " + job.getValue() + ": " + e.getMessage());
        }
      }
      awaitCancelled(rest);
    }
    for (String job : List.of(RENDER, SAFETY)) {
      RetainedCheckpoints.pruneOlderJobs(spec.checkpointDir(job));
      RetainedCheckpoints.latest(spec.checkpointDir(job))
          .ifPresent(c -> out.println("  " + job + " job's retained checkpoint: " + c));
    }
    List<String> killed = stopProcesses(out);
    Files.deleteIfExists(spec.stateFile());
    return killed;
  }

  private void awaitCancelled(FlinkRest rest) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    for (String id : state.jobs.values()) {
      try {
        while (!List.of("CANCELED", "FAILED", "FINISHED").contains(rest.job(id).path("state").asText())
            && System.nanoTime() < deadline) {
          sleep(200);
        }
      } catch (IOException e) {
        return;
      }
    }
  }

  private List<String> stopProcesses(PrintStream out) {
    List<String> killed = new ArrayList<>();
    List<StackState.Service> reverse = new ArrayList<>(state.services);
    java.util.Collections.reverse(reverse);
    for (StackState.Service s : reverse) {
      Optional<ProcessHandle> p = JavaProcess.find(s.pid(), s.startedAtMillis());
      if (p.isEmpty()) {
        out.printf("  %-14s was not running%n", s.name());
        continue;
      }
      boolean forced = JavaProcess.stop(p.get(), STOP_GRACE);
      if (forced) {
        killed.add(s.name());
      }
      out.printf("  %-14s pid %-7d %s%n", s.name(), s.pid(), forced ? "killed after " + STOP_GRACE.toSeconds()
          + " s" : "stopped");
    }
    return killed;
  }

  private static void checkBuilt(StackSpec spec) {
    for (Path p : List.of(spec.renderJar(), spec.safetyJar(), spec.flinkClasspathFile())) {
      if (!Files.isRegularFile(p)) {
        throw new IllegalStateException(p + " is missing: build Kiln first (`mvn -B package -DskipTests` in "
            + spec.repoDir() + ", which deploy/bin/kiln does for you)");
      }
    }
  }

  private List<String> bashJavaUtils(String command, String flinkClasspath) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(JavaProcess.javaBinary(), "-cp", flinkClasspath, BASH_UTILS, command,
        "--configDir", spec.flinkConfDir().toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted computing Flink's memory settings", e);
    }
    List<String> results = output.lines().filter(l -> l.startsWith(BASH_UTILS_RESULT))
        .map(l -> l.substring(BASH_UTILS_RESULT.length())).toList();
    if (results.size() < 2) {
      throw new IllegalStateException("Flink's " + command + " printed no JVM and dynamic settings for "
          + spec.flinkConfDir() + ":\n" + output);
    }
    return results.subList(results.size() - 2, results.size());
  }

  private static List<String> splitArgs(String line) {
    return line.isBlank() ? List.of() : List.of(line.trim().split("\\s+"));
  }

  private static String apiKey(Path file) throws IOException {
    if (Files.isRegularFile(file)) {
      for (String line : Files.readAllLines(file)) {
        String l = line.strip();
        if (!l.isEmpty() && !l.startsWith("#")) {
          return l.split("\\s+")[0];
        }
      }
    }
    byte[] bytes = new byte[20];
    new SecureRandom().nextBytes(bytes);
    String key = "kiln_" + HexFormat.of().formatHex(bytes);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "# KEY TENANT, written by kiln up\n" + key + " local\n");
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return key;
  }

  /** The S3 secret key in a file only its owner can read, for {@code kiln serve --s3-secret-key-file}. */
  private String secretFile(String secret) throws IOException {
    Path file = spec.dataDir().resolve("s3-secret-key.txt");
    Files.writeString(file, secret);
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return file.toString();
  }

  private static int port(int wanted, String flag) {
    if (wanted == 0) {
      return Ports.freeLoopbackPort();
    }
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", wanted));
      return wanted;
    } catch (IOException e) {
      throw new IllegalStateException("port " + wanted + " on 127.0.0.1 is taken (" + e.getMessage() + "): stop what"
          + " uses it, or pick another with " + flag);
    }
  }


  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean logContains(Path log, long offset, String text) {
    try {
      byte[] all = Files.readAllBytes(log);
      return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
          StandardCharsets.UTF_8).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return ":\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
