package dev.kiln.deploy.bench;

import dev.kiln.schemas.Topics;
import dev.kiln.deploy.local.EmbeddedKafka;
import dev.kiln.ingest.RequestDefaults;
import dev.kiln.ingest.RequestPublisher;
import dev.kiln.ingest.SubmitCommand;
import dev.kiln.ingest.catalogue.Catalogue;
import dev.kiln.ingest.catalogue.CatalogueSpec;
import dev.kiln.ingest.catalogue.Template;
import dev.kiln.schemas.Codecs;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;

/**
 * Prints how many requests/s {@code kiln submit catalogue.csv --template ...} publishes to a real
 * Kafka broker (in-process KRaft, topic kiln.requests with 2 partitions): from reading the CSV,
 * through validating and encoding every request, to the broker acknowledging the last one (acks=all,
 * idempotent). For comparison it also prints the rate of the same producer sending the same records
 * pre-encoded, i.e. the ceiling Kafka alone allows on this machine. Both figures include creating
 * and closing the producer. Each compression setting is warmed up, then run {@code --repeat} times;
 * the median is printed.
 *
 * <pre>bench/ingest/run.sh [--rows 100000] [--repeat 3] [--compression lz4,none]</pre>
 */
public final class IngestBench {
  private static final String TOPIC = Topics.REQUESTS;
  private static final String TEMPLATE = "studio photo of a {colour} {product} on a {background} background";
  private static final String[] COLOURS = {"red", "orange", "yellow", "green", "blue", "purple", "white", "black"};
  private static final String[] PRODUCTS = {"mug", "kettle", "teapot", "\"lamp, tall\"", "chair", "vase", "clock"};

  private IngestBench() {}

  public static void main(String[] args) throws Exception {
    int rows = 100_000;
    int repeat = 3;
    List<String> compressions = List.of(RequestPublisher.COMPRESSION, "none");
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--rows" -> rows = Integer.parseInt(args[i + 1]);
        case "--repeat" -> repeat = Integer.parseInt(args[i + 1]);
        case "--compression" -> compressions = List.of(args[i + 1].split(","));
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; allowed: --rows N, --repeat N, --compression lz4,none,zstd,snappy,gzip");
      }
    }
    Path dir = Files.createTempDirectory("kiln-ingest-bench");
    try {
      run(dir, rows, repeat, compressions);
    } finally {
      deleteRecursively(dir);
    }
  }

  private static void run(Path dir, int rows, int repeat, List<String> compressions) throws Exception {
    Path catalogue = generate(dir.resolve("catalogue.csv"), rows);
    int warmupRows = Math.min(rows, 50_000);
    Path warmup = generate(dir.resolve("warmup.csv"), warmupRows);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      kafka.createTopics(Map.of(TOPIC, 2));
      // The JIT and the broker's first segments would otherwise land in the first measurement.
      for (String compression : compressions) {
        submit(kafka, warmup, warmupRows, "warmup-" + compression, compression);
        producerOnly(kafka, warmup, compression);
      }
      List<String> lines = new ArrayList<>();
      for (String compression : compressions) {
        double[] endToEnd = new double[repeat];
        double[] producerOnly = new double[repeat];
        for (int r = 0; r < repeat; r++) {
          long before = records(kafka);
          endToEnd[r] = submit(kafka, catalogue, rows, "bench-" + compression + "-" + r, compression);
          long landed = records(kafka) - before;
          if (landed != rows) {
            throw new IllegalStateException("expected " + rows + " records on " + TOPIC + ", found " + landed);
          }
          producerOnly[r] = producerOnly(kafka, catalogue, compression);
        }
        lines.add(String.format("compression %-6s kiln submit (CSV -> validate -> encode -> acked): %,9.0f requests/s"
            + "   producer alone (pre-encoded): %,10.0f requests/s", compression, median(endToEnd),
            median(producerOnly)));
      }
      System.out.printf("%n%,d rows, 1 request each, 2 partitions, acks=all, idempotent, linger.ms=%d,"
          + " batch.size=%d, %d cores; median of %d runs:%n", rows, RequestPublisher.LINGER_MS,
          RequestPublisher.BATCH_SIZE, Runtime.getRuntime().availableProcessors(), repeat);
      lines.forEach(System.out::println);
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  /** Runs {@code kiln submit} as a user would and returns requests/s from start to exit. */
  private static double submit(EmbeddedKafka kafka, Path csv, int rows, String batchId, String compression) {
    SubmitCommand command = new SubmitCommand(
        config -> new KafkaProducer<>(withCompression(config, compression), new ByteArraySerializer(),
            new ByteArraySerializer()),
        Clock.systemUTC());
    long start = System.nanoTime();
    int exit = new CommandLine(command).execute(csv.toString(), "--template", TEMPLATE, "--batch-id", batchId,
        "--tenant", "bench", "--bootstrap-servers", kafka.bootstrapServers());
    double seconds = (System.nanoTime() - start) / 1e9;
    if (exit != 0) {
      throw new IllegalStateException("kiln submit exited with " + exit);
    }
    return rows / seconds;
  }

  /** The same records, encoded beforehand, through the same producer settings. */
  private static double producerOnly(EmbeddedKafka kafka, Path csv, String compression) throws Exception {
    RequestDefaults defaults = new RequestDefaults("bench", "producer-" + compression, "kiln-tiny", "", 64, 64,
        20, 3f, null, 1, Map.of(), Instant.now());
    Catalogue catalogue = new Catalogue(csv, Catalogue.Format.CSV,
        CatalogueSpec.builder().setTemplate(Template.parse(TEMPLATE)).build(), defaults);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    catalogue.emit(catalogue.check(), request -> records.add(new ProducerRecord<>(TOPIC,
        request.getRequestId().getBytes(StandardCharsets.UTF_8), Codecs.REQUEST.encode(request))));
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
        withCompression(RequestPublisher.producerConfig(kafka.bootstrapServers()), compression),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (ProducerRecord<byte[], byte[]> record : records) {
        producer.send(record);
      }
      producer.flush();
    }
    return records.size() / ((System.nanoTime() - start) / 1e9);
  }

  private static Map<String, Object> withCompression(Map<String, Object> config, String compression) {
    Map<String, Object> copy = new HashMap<>(config);
    copy.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
    return copy;
  }

  /** Records on the topic: the sum of its partitions' end offsets. */
  private static long records(EmbeddedKafka kafka) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
      List<TopicPartition> partitions = consumer.partitionsFor(TOPIC).stream()
          .map(p -> new TopicPartition(TOPIC, p.partition())).toList();
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** A catalogue of {@code rows} products, some values quoted as a spreadsheet would. */
  private static Path generate(Path file, int rows) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("sku,colour,product,background\n");
      for (int i = 0; i < rows; i++) {
        out.write("SKU-" + i + "," + COLOURS[i % COLOURS.length] + "," + PRODUCTS[(i / 8) % PRODUCTS.length] + ","
            + COLOURS[(i + 3) % COLOURS.length] + "\n");
      }
    }
    return file;
  }
}
