package dev.kiln.deploy.bench;

import dev.kiln.deploy.cli.ServiceCommand;
import dev.kiln.deploy.flink.StackConfig;
import dev.kiln.deploy.local.EmbeddedS3;
import dev.kiln.deploy.local.LocalStack;
import dev.kiln.deploy.local.Ports;
import dev.kiln.storage.S3Settings;
import dev.kiln.storage.StorageOptions;
import dev.kiln.wire.KilnOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;

/**
 * The benches' Kafka broker and S3 server, each in its own JVM ({@code kiln service broker|s3}, as
 * {@code kiln up} starts them), so that their CPU is not the bench JVM's, as in production. The
 * processes are this JVM's children: {@link #close} stops them, and so does a shutdown hook.
 */
final class ServiceStack implements AutoCloseable {
  private final Path dir;
  private final int kafkaPort;
  private final int s3Port;
  private final List<Process> processes = new ArrayList<>();
  private final Thread hook;

  private ServiceStack(Path dir) {
    this.dir = dir;
    this.kafkaPort = Ports.freeLoopbackPort();
    this.s3Port = Ports.freeLoopbackPort();
    this.hook = new Thread(() -> processes.forEach(Process::destroy), "stop-bench-services");
  }

  /** Starts the broker and the S3 server with data under {@code dir}; returns once both serve. */
  static ServiceStack start(Path dir) throws IOException, InterruptedException {
    ServiceStack stack = new ServiceStack(dir);
    Runtime.getRuntime().addShutdownHook(stack.hook);
    try {
      stack.launch("broker", stack.kafkaPort, List.of("--controller-port", String.valueOf(Ports.freeLoopbackPort())));
      stack.launch("s3", stack.s3Port, List.of("--bucket", LocalStack.DEFAULT_BUCKET));
    } catch (IOException | InterruptedException | RuntimeException e) {
      stack.close();
      throw e;
    }
    return stack;
  }

  String bootstrapServers() {
    return "127.0.0.1:" + kafkaPort;
  }

  String bucket() {
    return LocalStack.DEFAULT_BUCKET;
  }

  S3Settings s3Settings() {
    return S3Settings.builder().setBucket(bucket()).optEndpoint(URI.create("http://127.0.0.1:" + s3Port))
        .optPathStyle(true).optCredentials(EmbeddedS3.DEFAULT_ACCESS_KEY, EmbeddedS3.DEFAULT_SECRET_KEY).build();
  }

  /** What {@link StackConfig#of} gives for an embedded stack, for these services: both jobs' configuration. */
  Configuration jobConfig(Path models) {
    Configuration c = new Configuration();
    c.set(KilnOptions.BOOTSTRAP_SERVERS, bootstrapServers());
    c.set(KilnOptions.MODELS_DIR, models.toAbsolutePath().toString());
    S3Settings s3 = s3Settings();
    c.set(StorageOptions.BUCKET, s3.bucket());
    c.set(StorageOptions.ENDPOINT, "http://127.0.0.1:" + s3Port);
    c.set(StorageOptions.REGION, s3.region());
    c.set(StorageOptions.PATH_STYLE, true);
    c.set(StorageOptions.ACCESS_KEY, EmbeddedS3.DEFAULT_ACCESS_KEY);
    c.set(StorageOptions.SECRET_KEY, EmbeddedS3.DEFAULT_SECRET_KEY);
    StackConfig.signWithLocalCa(c, dir.resolve(StackConfig.LOCAL_CA_DIR));
    return c;
  }

  private void launch(String name, int port, List<String> extra) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx768m", "-XX:+UseSerialGC", "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
        "-cp", System.getProperty("java.class.path"), "dev.kiln.deploy.KilnCli", "service", name,
        "--data-dir", dir.resolve(name).toString(), "--port", String.valueOf(port)));
    command.addAll(extra);
    Path log = dir.resolve(name + ".log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
    processes.add(p);
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (!Files.readString(log).contains(ServiceCommand.READY)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException(name + " did not start; see " + log);
      }
      Thread.sleep(200);
    }
    System.out.printf("%s: own process, pid %d, port %d, log %s%n", name, p.pid(), port, log);
  }

  @Override
  public void close() throws InterruptedException {
    processes.forEach(Process::destroy);
    for (Process p : processes) {
      p.waitFor();
    }
    Runtime.getRuntime().removeShutdownHook(hook);
  }
}
