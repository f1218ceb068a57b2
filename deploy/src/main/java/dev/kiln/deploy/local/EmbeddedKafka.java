package dev.kiln.deploy.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A real single-node Kafka broker in KRaft mode (combined broker and controller), running in this JVM.
 *
 * <p>It is configured for transactions on one node (replication factor and min ISR 1 for the
 * internal topics, {@code transaction.max.timeout.ms} of one hour as Flink's exactly-once sink needs)
 * and does not auto-create topics: create them with {@link #createTopics}. The log directory is
 * formatted on first start and reused afterwards, so data survives a restart on the same directory.
 *
 * <p>Only one embedded broker should run per JVM: Kafka registers JMX beans by node id.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    public static final int NODE_ID = 1;
    public static final Duration TRANSACTION_MAX_TIMEOUT = Duration.ofHours(1);
    public static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final KafkaRaftServer server;
    private final Path dataDirectory;
    private final String bootstrapServers;
    private final String clusterId;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, Path dataDirectory, String bootstrapServers, String clusterId) {
        this.server = server;
        this.dataDirectory = dataDirectory;
        this.bootstrapServers = bootstrapServers;
        this.clusterId = clusterId;
    }

    /** Starts a broker with its data under {@code dataDirectory}, on free loopback ports. */
    public static EmbeddedKafka start(Path dataDirectory) {
        return builder().setDataDirectory(dataDirectory).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code 127.0.0.1:port} of the broker listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The directory holding the broker's logs and metadata (formatted on first start). */
    public Path dataDirectory() {
        return dataDirectory;
    }

    public String clusterId() {
        return clusterId;
    }

    /**
     * Creates topics with replication factor 1 and waits until every partition has a leader.
     * Topics that already exist are left as they are (a warning is logged if they have fewer
     * partitions than asked for).
     *
     * @param partitionsByTopic topic name to partition count
     * @throws IllegalStateException if the broker does not confirm within {@link #ADMIN_TIMEOUT}
     */
    public void createTopics(Map<String, Integer> partitionsByTopic) {
        if (partitionsByTopic.isEmpty()) {
            return;
        }
        List<NewTopic> newTopics = new ArrayList<>();
        partitionsByTopic.forEach((topic, partitions) -> newTopics.add(new NewTopic(topic, partitions, (short) 1)));
        try (Admin admin = Admin.create(adminConfig())) {
            for (Map.Entry<String, KafkaFuture<Void>> created : admin.createTopics(newTopics).values().entrySet()) {
                try {
                    await(created.getValue(), "creating topic " + created.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Could not create topic " + created.getKey() + " on "
                                + bootstrapServers + ": " + e.getCause().getMessage(), e.getCause());
                    }
                    LOG.debug("Topic {} already exists", created.getKey());
                }
            }
            awaitLeaders(admin, partitionsByTopic);
        }
    }

    private void awaitLeaders(Admin admin, Map<String, Integer> partitionsByTopic) {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        while (true) {
            List<String> notReady = new ArrayList<>();
            try {
                Map<String, TopicDescription> descriptions =
                        await(admin.describeTopics(partitionsByTopic.keySet()).allTopicNames(), "describing topics");
                for (TopicDescription d : descriptions.values()) {
                    if (d.partitions().stream().map(TopicPartitionInfo::leader).anyMatch(l -> l == null || l.isEmpty())) {
                        notReady.add(d.name());
                    } else if (d.partitions().size() < partitionsByTopic.get(d.name())) {
                        LOG.warn("Topic {} already existed with {} partitions, fewer than the {} asked for",
                                d.name(), d.partitions().size(), partitionsByTopic.get(d.name()));
                    }
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("Could not describe topics " + partitionsByTopic.keySet()
                            + " on " + bootstrapServers + ": " + e.getCause().getMessage(), e.getCause());
                }
                notReady.add(String.valueOf(partitionsByTopic.keySet()));
            }
            if (notReady.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Topics " + notReady + " on " + bootstrapServers
                        + " still have partitions without a leader after " + ADMIN_TIMEOUT);
            }
            sleep(Duration.ofMillis(50));
        }
    }

    /** Admin client settings for this broker with explicit timeouts; the caller closes the client. */
    public Map<String, Object> adminConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Duration.ofSeconds(10).toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        return config;
    }

    /** Shuts the broker down and waits for it; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long startNanos = System.nanoTime();
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Kafka broker at {} stopped in {} ms", bootstrapServers, millisSince(startNanos));
    }

    private static <T> T await(KafkaFuture<T> future, String what) throws ExecutionException {
        try {
            return future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while " + what, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out after " + ADMIN_TIMEOUT + " " + what, e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Kafka topics", e);
        }
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** Builder; {@code setDataDirectory} is required. */
    public static final class Builder {
        private Path dataDirectory;
        private int port;
        private int controllerPort;
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder() {}

        /** Required: where the broker keeps its logs and metadata. Created if missing. */
        public Builder setDataDirectory(Path dataDirectory) {
            this.dataDirectory = dataDirectory;
            return this;
        }

        /** Port of the client listener on 127.0.0.1; 0 (the default) picks a free one. */
        public Builder optPort(int port) {
            this.port = port;
            return this;
        }

        /** Port of the KRaft controller listener on 127.0.0.1; 0 (the default) picks a free one. */
        public Builder optControllerPort(int controllerPort) {
            this.controllerPort = controllerPort;
            return this;
        }

        /**
         * Overrides or adds one broker setting (server.properties key). Listener, node and quorum
         * settings are derived from the ports and must not be overridden.
         */
        public Builder optBrokerConfig(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        /**
         * Formats the data directory if needed, then starts the broker and returns once it is
         * unfenced and serving.
         *
         * @throws IllegalArgumentException if the settings are unusable, saying how to fix them
         */
        public EmbeddedKafka start() {
            if (dataDirectory == null) {
                throw new IllegalArgumentException("No data directory: call setDataDirectory(path), e.g."
                        + " setDataDirectory(Path.of(\"target/kafka\"))");
            }
            checkPort("optPort", port);
            checkPort("optControllerPort", controllerPort);
            if (port != 0 && port == controllerPort) {
                throw new IllegalArgumentException("optPort and optControllerPort are both " + port
                        + ": give them different ports, or 0 to pick free ones");
            }
            Path dir = dataDirectory.toAbsolutePath().normalize();
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create the Kafka data directory " + dir, e);
            }
            int brokerPort = Ports.orFree(port);
            int quorumPort = controllerPort != 0 ? controllerPort : freePortOtherThan(brokerPort);

            Properties props = brokerProperties(dir, brokerPort, quorumPort);
            props.putAll(overrides);
            KafkaConfig config = new KafkaConfig(props, false);

            long startNanos = System.nanoTime();
            String clusterId = formatIfNeeded(config, dir);
            long formattedNanos = System.nanoTime();
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            String bootstrap = Ports.LOOPBACK + ":" + brokerPort;
            LOG.info("Kafka {} broker (KRaft, node {}, cluster {}) started at {} in {} ms (format {} ms), data in {}",
                    kafkaVersion(), NODE_ID, clusterId, bootstrap, millisSince(startNanos),
                    TimeUnit.NANOSECONDS.toMillis(formattedNanos - startNanos), dir);
            return new EmbeddedKafka(server, dir, bootstrap, clusterId);
        }

        private static void checkPort(String setter, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(setter + "(" + port + ") is not a TCP port: pass 1-65535,"
                        + " or 0 to pick a free one");
            }
        }

        private static int freePortOtherThan(int taken) {
            int candidate = Ports.freeLoopbackPort();
            while (candidate == taken) {
                candidate = Ports.freeLoopbackPort();
            }
            return candidate;
        }

        private static Properties brokerProperties(Path dir, int brokerPort, int controllerPort) {
            Properties p = new Properties();
            p.put("process.roles", "broker,controller");
            p.put("node.id", String.valueOf(NODE_ID));
            p.put("controller.quorum.voters", NODE_ID + "@" + Ports.LOOPBACK + ":" + controllerPort);
            p.put("listeners", BROKER_LISTENER + "://" + Ports.LOOPBACK + ":" + brokerPort + ","
                    + CONTROLLER_LISTENER + "://" + Ports.LOOPBACK + ":" + controllerPort);
            p.put("advertised.listeners", BROKER_LISTENER + "://" + Ports.LOOPBACK + ":" + brokerPort);
            p.put("controller.listener.names", CONTROLLER_LISTENER);
            p.put("inter.broker.listener.name", BROKER_LISTENER);
            p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
            p.put("log.dirs", dir.toString());
            p.put("auto.create.topics.enable", "false");
            p.put("num.partitions", "1");
            // One node: every internal topic must be satisfiable by a single replica.
            p.put("offsets.topic.replication.factor", "1");
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("share.coordinator.state.topic.replication.factor", "1");
            p.put("share.coordinator.state.topic.min.isr", "1");
            // Fewer internal partitions than the production 50: creating them is the slow part of the first
            // consumer group and the first transaction.
            p.put("offsets.topic.num.partitions", "4");
            p.put("transaction.state.log.num.partitions", "4");
            p.put("group.initial.rebalance.delay.ms", "0");
            // Flink's exactly-once KafkaSink uses a 1 h transaction timeout; the broker default max is 15 min.
            p.put("transaction.max.timeout.ms", String.valueOf(TRANSACTION_MAX_TIMEOUT.toMillis()));
            // The log cleaner would otherwise allocate a 128 MB dedupe buffer in this JVM's heap.
            p.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
            p.put("num.network.threads", "2");
            p.put("num.io.threads", "4");
            return p;
        }

        private static String formatIfNeeded(KafkaConfig config, Path dir) {
            Path meta = dir.resolve("meta.properties");
            if (Files.exists(meta)) {
                Properties existing = new Properties();
                try (InputStream in = Files.newInputStream(meta)) {
                    existing.load(in);
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot read " + meta + "; delete " + dir + " to start afresh", e);
                }
                LOG.info("Reusing formatted Kafka data directory {}", dir);
                return existing.getProperty("cluster.id");
            }
            String clusterId = Uuid.randomUuid().toString();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Formatter formatter = new Formatter()
                    .setPrintStream(new PrintStream(out, true, StandardCharsets.UTF_8))
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .addDirectory(dir.toString());
            ThirdParty.run("Formatting Kafka storage in " + dir, formatter::run);
            LOG.debug("Formatted {}: {}", dir, out.toString(StandardCharsets.UTF_8).trim());
            return clusterId;
        }

        private static String kafkaVersion() {
            return org.apache.kafka.common.utils.AppInfoParser.getVersion();
        }
    }
}
