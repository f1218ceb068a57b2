package dev.kiln.deploy.local;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.schemas.Topics;
import dev.kiln.storage.S3Settings;

/**
 * Kiln's local infrastructure: one {@link EmbeddedKafka} broker with Kiln's topics and one
 * {@link EmbeddedS3} server with Kiln's bucket, both under one root directory:
 *
 * <pre>
 * {root}/kafka/                   broker logs and KRaft metadata
 * {root}/s3/{bucket}/{key}        every object as a plain file, e.g. s3/kiln/assets/acme/b1/r1-0.png
 * </pre>
 *
 * Used by the one-command local run and, through one shared instance, by every integration test.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

    /** Every topic the stack creates, in pipeline order ({@link Topics#ALL}). */
    public static final List<String> TOPICS = Topics.ALL;

    public static final String DEFAULT_BUCKET = "kiln";
    public static final int DEFAULT_PARTITIONS = 2;

    private final Path rootDirectory;
    private final EmbeddedKafka kafka;
    private final EmbeddedS3 s3;
    private final String bucket;
    private final int partitions;

    private LocalStack(Path rootDirectory, EmbeddedKafka kafka, EmbeddedS3 s3, String bucket, int partitions) {
        this.rootDirectory = rootDirectory;
        this.kafka = kafka;
        this.s3 = s3;
        this.bucket = bucket;
        this.partitions = partitions;
    }

    /** Starts the stack under {@code rootDirectory} with the default bucket and partition count. */
    public static LocalStack start(Path rootDirectory) {
        return builder().setRootDirectory(rootDirectory).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code bootstrap.servers} of the broker. */
    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** Settings for Kiln's bucket on the local S3 server, with its credentials. */
    public S3Settings s3Settings() {
        return s3.settings(bucket);
    }

    public String bucket() {
        return bucket;
    }

    /** Partitions of each Kiln topic. */
    public int partitions() {
        return partitions;
    }

    public Path rootDirectory() {
        return rootDirectory;
    }

    public Path kafkaDataDirectory() {
        return kafka.dataDirectory();
    }

    /** The S3 server's root: bucket {@code b}, key {@code k} is the file {@code s3DataDirectory()/b/k}. */
    public Path s3DataDirectory() {
        return s3.dataDirectory();
    }

    /** The file that holds {@code key} of Kiln's bucket. */
    public Path objectPath(String key) {
        return s3.pathOf(bucket, key);
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public EmbeddedS3 s3() {
        return s3;
    }

    /** Stops the S3 server and the broker; the data stays on disk. */
    @Override
    public void close() {
        try {
            s3.close();
        } finally {
            kafka.close();
        }
    }

    /** Builder; {@code setRootDirectory} is required. */
    public static final class Builder {
        private Path rootDirectory;
        private int partitions = DEFAULT_PARTITIONS;
        private String bucket = DEFAULT_BUCKET;
        private int kafkaPort;
        private int s3Port;

        private Builder() {}

        /** Required: the directory that gets {@code kafka/} and {@code s3/}. */
        public Builder setRootDirectory(Path rootDirectory) {
            this.rootDirectory = rootDirectory;
            return this;
        }

        /** Partitions of each Kiln topic; default {@value LocalStack#DEFAULT_PARTITIONS}. */
        public Builder optPartitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        /** The bucket to create; default {@value LocalStack#DEFAULT_BUCKET}. */
        public Builder optBucket(String bucket) {
            this.bucket = bucket;
            return this;
        }

        /** Broker port on 127.0.0.1; 0 (the default) picks a free one. */
        public Builder optKafkaPort(int port) {
            this.kafkaPort = port;
            return this;
        }

        /** S3 port on 127.0.0.1; 0 (the default) picks a free one. */
        public Builder optS3Port(int port) {
            this.s3Port = port;
            return this;
        }

        /**
         * Starts the broker and the S3 server, creates the topics and the bucket. If anything fails,
         * whatever already started is stopped again.
         *
         * @throws IllegalArgumentException if the settings are unusable, saying how to fix them
         */
        public LocalStack start() {
            if (rootDirectory == null) {
                throw new IllegalArgumentException("No root directory: call setRootDirectory(path), e.g."
                        + " setRootDirectory(Path.of(\"target/kiln-local\"))");
            }
            if (partitions < 1) {
                throw new IllegalArgumentException("optPartitions(" + partitions + "): a topic needs at least"
                        + " 1 partition; use about as many as the jobs' parallelism");
            }
            // Validates the bucket name before anything starts.
            S3Settings.builder().setBucket(bucket).build();

            Path root = rootDirectory.toAbsolutePath().normalize();
            long startNanos = System.nanoTime();
            EmbeddedKafka kafka = EmbeddedKafka.builder()
                    .setDataDirectory(root.resolve("kafka"))
                    .optPort(kafkaPort)
                    .start();
            EmbeddedS3 s3 = null;
            try {
                long topicsNanos = System.nanoTime();
                Map<String, Integer> topics = new LinkedHashMap<>();
                TOPICS.forEach(t -> topics.put(t, partitions));
                kafka.createTopics(topics);
                long topicsMillis = millisSince(topicsNanos);

                s3 = EmbeddedS3.builder().setDataDirectory(root.resolve("s3")).optPort(s3Port).start();
                long bucketNanos = System.nanoTime();
                s3.createBucket(bucket);
                long bucketMillis = millisSince(bucketNanos);

                LocalStack stack = new LocalStack(root, kafka, s3, bucket, partitions);
                LOG.info("Kiln local stack ready in {} ms under {}: Kafka at {} (topics {} x {} partitions, {} ms),"
                                + " S3 at {} (bucket {}, {} ms, access key {})",
                        millisSince(startNanos), root, kafka.bootstrapServers(), TOPICS, partitions, topicsMillis,
                        s3.endpoint(), bucket, bucketMillis, s3.accessKey());
                return stack;
            } catch (RuntimeException | Error e) {
                stopQuietly(s3, kafka, e);
                throw e;
            }
        }

        private static void stopQuietly(EmbeddedS3 s3, EmbeddedKafka kafka, Throwable cause) {
            try {
                if (s3 != null) {
                    s3.close();
                }
            } catch (RuntimeException suppressed) {
                cause.addSuppressed(suppressed);
            }
            try {
                kafka.close();
            } catch (RuntimeException suppressed) {
                cause.addSuppressed(suppressed);
            }
        }

        private static long millisSince(long startNanos) {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        }
    }
}
