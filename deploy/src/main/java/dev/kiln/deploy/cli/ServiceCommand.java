package dev.kiln.deploy.cli;

import dev.kiln.deploy.local.EmbeddedKafka;
import dev.kiln.deploy.local.EmbeddedS3;
import dev.kiln.deploy.local.LocalStack;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kiln service broker|s3}: one service of the stack in its own process, running until it is
 * stopped (SIGTERM stops it cleanly). {@code kiln up} starts each this way, so that a fault test can
 * kill or restart the broker and the object store on their own. Prints {@value #READY} and the
 * address once it serves.
 */
@Command(name = "service", hidden = true, mixinStandardHelpOptions = true,
    description = "Run the stack's Kafka broker or S3 server in this process until stopped.")
public final class ServiceCommand implements Callable<Integer> {
  /** The line a service prints when it serves. */
  public static final String READY = "kiln service ready:";

  @Parameters(index = "0", paramLabel = "SERVICE", description = "broker or s3")
  String service;

  @Option(names = "--data-dir", required = true, description = "The service's data directory.")
  Path dataDir;

  @Option(names = "--port", required = true, description = "Port on 127.0.0.1.")
  int port;

  @Option(names = "--controller-port", defaultValue = "0", description = "KRaft controller port (broker only).")
  int controllerPort;

  @Option(names = "--partitions", defaultValue = "" + LocalStack.DEFAULT_PARTITIONS,
      description = "Partitions of each Kiln topic (broker only; default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--bucket", defaultValue = LocalStack.DEFAULT_BUCKET,
      description = "Bucket to create (s3 only; default: ${DEFAULT-VALUE}).")
  String bucket;

  @Override
  public Integer call() throws InterruptedException {
    Runnable stop;
    String address;
    switch (service) {
      case "broker" -> {
        EmbeddedKafka kafka = EmbeddedKafka.builder().setDataDirectory(dataDir).optPort(port)
            .optControllerPort(controllerPort).start();
        Map<String, Integer> topics = new LinkedHashMap<>();
        LocalStack.TOPICS.forEach(t -> topics.put(t, partitions));
        kafka.createTopics(topics);
        stop = kafka::close;
        address = kafka.bootstrapServers();
      }
      case "s3" -> {
        EmbeddedS3 s3 = EmbeddedS3.builder().setDataDirectory(dataDir).optPort(port).start();
        s3.createBucket(bucket);
        stop = s3::close;
        address = s3.endpoint() + " bucket " + bucket;
      }
      default -> {
        System.err.println("unknown service '" + service + "': use broker or s3");
        return 2;
      }
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        stop.run();
      } finally {
        stopped.countDown();
      }
    }, "kiln-service-stop"));
    System.out.println(READY + " " + service + " " + address);
    System.out.flush();
    stopped.await();
    return 0;
  }
}
