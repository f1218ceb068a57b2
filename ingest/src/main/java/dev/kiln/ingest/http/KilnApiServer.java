package dev.kiln.ingest.http;

import dev.kiln.ingest.http.internal.ApiHandler;
import dev.kiln.ingest.http.internal.HeaderTimeout;
import dev.kiln.ingest.http.internal.KafkaRequestSink;
import dev.kiln.ingest.http.internal.QuotaCounter;
import dev.kiln.ingest.http.internal.RequestSink;
import dev.kiln.ingest.http.internal.StatusFollower;
import dev.kiln.ingest.http.internal.StatusStore;
import dev.kiln.schemas.Topics;
import dev.kiln.schemas.KafkaEndpoint;
import dev.kiln.schemas.TrustedPackages;
import dev.kiln.storage.S3Settings;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.util.JavalinBindException;
import io.javalin.util.JavalinException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BlockingArrayQueue;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kiln's HTTP API for event-driven integrations, on Javalin (Jetty 12):
 *
 * <ul>
 *   <li>{@code POST /v1/requests}, {@code POST /v1/batches}: validate, publish to
 *       {@code kiln.requests}, answer 202 with the status URL;
 *   <li>{@code GET /v1/requests/{id}}, {@code GET /v1/batches/{id}}: status and per-image results
 *       with presigned download URLs, for the caller's tenant only;
 *   <li>{@code GET /v1/openapi.yaml} (the contract), {@code GET /healthz}, {@code GET /readyz}.
 * </ul>
 *
 * <p>Every {@code /v1} call but the OpenAPI document needs an API key ({@code Authorization:
 * Bearer KEY} or {@code X-Api-Key: KEY}); the key fixes the tenant. Status comes from an in-memory
 * store that a background consumer fills from {@code kiln.requests}, {@code kiln.results} and
 * {@code kiln.requests.dlq}, re-read from the beginning on every start: a restarted server knows
 * everything the topics still hold. Until it has caught up, status calls answer 503 with
 * {@code Retry-After}.
 *
 * <p>Slow or hostile clients are bounded by the connector, not by the handler threads: request
 * heads are parsed without a thread, a head must arrive within the header timeout, a silent
 * connection closes after the idle timeout, and connections, the accept backlog and the queue of
 * requests waiting for a thread are all bounded (see the {@code DEFAULT_*} constants).
 *
 * <p>Build with {@link #builder()}, then {@link #start()}; {@link #close()} stops it.
 */
public final class KilnApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KilnApiServer.class);
  /** The OpenAPI document on the classpath. */
  public static final String OPENAPI_RESOURCE = "/openapi/kiln-api.yaml";
  /** Loopback: the API is reachable from this machine only unless a host is chosen. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final String DEFAULT_REQUESTS_TOPIC = Topics.REQUESTS;
  public static final String DEFAULT_RESULTS_TOPIC = Topics.RESULTS;
  public static final String DEFAULT_DEAD_LETTER_TOPIC = Topics.DEAD_LETTERS;
  public static final Duration DEFAULT_PRESIGN_TTL = Duration.ofMinutes(15);
  public static final long DEFAULT_MAX_BODY_BYTES = 10L * 1024 * 1024;
  /** Threads running handlers; a publish waits for Kafka on one. */
  public static final int DEFAULT_THREADS = 8;
  /** Requests waiting for a handler thread; beyond this Jetty refuses the work and closes the connection. */
  public static final int DEFAULT_MAX_QUEUED_REQUESTS = 256;
  /** Open connections; further ones wait in the accept backlog until one closes. */
  public static final int DEFAULT_MAX_CONNECTIONS = 1024;
  /** Connections the kernel holds before they are accepted. */
  public static final int DEFAULT_ACCEPT_QUEUE_SIZE = 128;
  /** A connection with no bytes in either direction for this long is closed. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
  /** A request's line and headers must all arrive within this, counted from its first byte. */
  public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
  /** A handler blocked reading a request body (or writing a response) gives up after this. */
  public static final Duration DEFAULT_REQUEST_READ_TIMEOUT = Duration.ofSeconds(30);
  /** Requests the status store tracks at most; past it the oldest complete ones are forgotten. */
  public static final int DEFAULT_MAX_TRACKED_REQUESTS = StatusStore.DEFAULT_MAX_REQUESTS;
  // Jetty leases these from the pool besides the handler threads.
  private static final int ACCEPTORS = 1;
  private static final int SELECTORS = 1;
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(2);

  private final Builder settings;
  private Javalin server;
  private ServerConnector connector;
  private RequestSink sink;
  private volatile StatusFollower follower;
  private S3AssetLinks links;

  private KilnApiServer(Builder settings) {
    this.settings = settings;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Connects to Kafka, starts reading the topics in the background and binds the port. Returns
   * once the server accepts connections; status calls answer 503 until {@link #ready()}.
   *
   * @throws IllegalStateException when already started, or a required topic does not exist
   * @throws UncheckedIOException when the port cannot be bound
   * @throws org.apache.kafka.common.KafkaException when Kafka cannot be reached in time
   */
  public synchronized KilnApiServer start() {
    if (server != null) {
      throw new IllegalStateException("already started on port " + port());
    }
    TrustedPackages.ensure();
    boolean started = false;
    try {
      StatusStore store = new StatusStore(settings.maxTrackedRequests);
      follower = new StatusFollower(
          settings.consumers.apply(settings.kafka.clientConfig(
              StatusFollower.consumerConfig(settings.kafka.bootstrapServers()))),
          settings.requestsTopic, settings.resultsTopic, settings.deadLetterTopic, store);
      follower.start();
      sink = new KafkaRequestSink(
          settings.producers.apply(settings.kafka.clientConfig(
              KafkaRequestSink.producerConfig(settings.kafka.bootstrapServers()))),
          settings.requestsTopic);
      links = S3AssetLinks.create(settings.s3Settings, settings.presignTtl);
      ApiHandler handler = new ApiHandler(settings.apiKeys, sink, store, follower::ready, links, settings.clock,
          settings.maxBodyBytes, openApiDocument(), settings.resultsTopic, new QuotaCounter(settings.quotas));
      server = Javalin.create(config -> {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        // Byte-for-byte the answers of the JDK server this replaced: no gzip, /path/ is not /path.
        config.http.compressionStrategy = CompressionStrategy.NONE;
        config.http.prefer405over404 = true;
        config.http.maxRequestSize = settings.maxBodyBytes;
        config.router.ignoreTrailingSlashes = false;
        config.jetty.threadPool = threadPool();
        config.jetty.modifyServer(jetty -> jetty.setStopTimeout(settings.shutdownGrace.toMillis()));
        config.jetty.addConnector(this::connector);
        handler.register(config);
      });
      server.start();
      started = true;
      LOG.info("Kiln API listening on {} ({}, {}, requests to {}, status from {})", uri(), settings.apiKeys,
          settings.quotas, settings.requestsTopic, settings.resultsTopic);
      return this;
    } catch (JavalinBindException e) {
      throw new UncheckedIOException("cannot listen on " + settings.host + ":" + settings.port,
          e.getCause() instanceof IOException io ? io : new IOException(e.getMessage(), e));
    } catch (JavalinException e) {
      throw new IllegalStateException("cannot start the HTTP server on " + settings.host + ":" + settings.port, e);
    } finally {
      if (!started) {
        close();
      }
    }
  }

  /** The bound port: the one asked for, or the free one picked for port 0. */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("not started");
    }
    return connector.getLocalPort();
  }

  /** {@code http://host:port/}, with 127.0.0.1 for a wildcard bind address. */
  public URI uri() {
    String host = settings.host.equals("0.0.0.0") || settings.host.equals("::") ? "127.0.0.1" : settings.host;
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/");
  }

  /** Whether the status store has caught up with the topics as they were at {@link #start()}. */
  public boolean ready() {
    StatusFollower f = follower;
    return f != null && f.ready();
  }

  /** Waits until {@link #ready()} or {@code timeout} passes; returns whether it is ready. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    StatusFollower f;
    synchronized (this) {
      f = follower;
    }
    if (f == null) {
      throw new IllegalStateException("not started");
    }
    return f.awaitReady(timeout);
  }

  /**
   * Stops accepting connections, lets exchanges in progress finish for up to the shutdown grace
   * ({@link Builder#optShutdownGrace}), then stops the status consumer and closes the producer.
   * Idempotent.
   */
  @Override
  public synchronized void close() {
    if (server != null) {
      // Jetty's graceful stop waits for requests in progress, at most the shutdown grace.
      server.stop();
      server = null;
      connector = null;
    }
    if (follower != null) {
      follower.close();
      follower = null;
    }
    if (sink != null) {
      sink.close();
      sink = null;
    }
    if (links != null) {
      links.close();
      links = null;
    }
  }

  private static byte[] openApiDocument() {
    try (InputStream in = KilnApiServer.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(OPENAPI_RESOURCE + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + OPENAPI_RESOURCE, e);
    }
  }

  private QueuedThreadPool threadPool() {
    int max = settings.threads + ACCEPTORS + SELECTORS;
    QueuedThreadPool pool = new QueuedThreadPool(max, Math.min(max, 4), 60_000,
        new BlockingArrayQueue<>(settings.maxQueuedRequests));
    pool.setName("kiln-api");
    pool.setDaemon(true);
    // Reserved threads would eat into the handler threads of a small pool.
    pool.setReservedThreads(0);
    return pool;
  }

  private ServerConnector connector(org.eclipse.jetty.server.Server jetty, HttpConfiguration http) {
    http.setIdleTimeout(settings.requestReadTimeout.toMillis());
    http.setSendServerVersion(false);
    ServerConnector c = new ServerConnector(jetty, ACCEPTORS, SELECTORS, new HttpConnectionFactory(http));
    c.setHost(settings.host);
    c.setPort(settings.port);
    c.setIdleTimeout(settings.idleTimeout.toMillis());
    c.setAcceptQueueSize(settings.acceptQueueSize);
    c.addBean(new HeaderTimeout(c, settings.headerTimeout));
    jetty.addBean(new NetworkConnectionLimit(settings.maxConnections, c));
    connector = c;
    return c;
  }

  /**
   * Builder: {@code setBootstrapServers}, {@code setS3Settings} and {@code setApiKeys} are
   * required, {@code opt*} optional. Not thread-safe.
   */
  public static final class Builder {
    private KafkaEndpoint kafka;
    private S3Settings s3Settings;
    private ApiKeys apiKeys;
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private String requestsTopic = DEFAULT_REQUESTS_TOPIC;
    private String resultsTopic = DEFAULT_RESULTS_TOPIC;
    private String deadLetterTopic = DEFAULT_DEAD_LETTER_TOPIC;
    private Duration presignTtl = DEFAULT_PRESIGN_TTL;
    private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private int threads = DEFAULT_THREADS;
    private int maxQueuedRequests = DEFAULT_MAX_QUEUED_REQUESTS;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int acceptQueueSize = DEFAULT_ACCEPT_QUEUE_SIZE;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Duration headerTimeout = DEFAULT_HEADER_TIMEOUT;
    private Duration requestReadTimeout = DEFAULT_REQUEST_READ_TIMEOUT;
    private Quotas quotas = Quotas.UNLIMITED;
    private int maxTrackedRequests = DEFAULT_MAX_TRACKED_REQUESTS;
    private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
    private Clock clock = Clock.systemUTC();
    private Function<Map<String, Object>, Producer<byte[], byte[]>> producers =
        config -> new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    private Function<Map<String, Object>, Consumer<byte[], byte[]>> consumers =
        config -> new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());

    private Builder() {}

    /** Required: Kafka's bootstrap servers, e.g. {@code localhost:9092}; or {@link #setKafka}. */
    public Builder setBootstrapServers(String bootstrapServers) {
      this.kafka = bootstrapServers == null || bootstrapServers.isBlank() ? null
          : KafkaEndpoint.plaintext(bootstrapServers);
      return this;
    }

    /** Kafka's bootstrap servers and the security settings (TLS, SASL) of the server's clients. */
    public Builder setKafka(KafkaEndpoint kafka) {
      this.kafka = kafka;
      return this;
    }

    /** Required: the bucket and endpoint that download URLs are presigned for. */
    public Builder setS3Settings(S3Settings s3Settings) {
      this.s3Settings = s3Settings;
      return this;
    }

    /** Required: the API keys and their tenants. */
    public Builder setApiKeys(ApiKeys apiKeys) {
      this.apiKeys = apiKeys;
      return this;
    }

    /** Required: the API keys as key to tenant, checked like {@link ApiKeys#of}. */
    public Builder setApiKeys(Map<String, String> tenantByKey) {
      this.apiKeys = ApiKeys.of(tenantByKey);
      return this;
    }

    /** Address to bind; default {@value KilnApiServer#DEFAULT_HOST}, {@code 0.0.0.0} for every interface. */
    public Builder optHost(String host) {
      this.host = host;
      return this;
    }

    /** Port; 0 picks a free one (see {@link KilnApiServer#port()}). Default {@value KilnApiServer#DEFAULT_PORT}. */
    public Builder optPort(int port) {
      this.port = port;
      return this;
    }

    /** Where accepted requests go; default {@value KilnApiServer#DEFAULT_REQUESTS_TOPIC}. */
    public Builder optRequestsTopic(String topic) {
      this.requestsTopic = topic;
      return this;
    }

    /** Where results come from; default {@value KilnApiServer#DEFAULT_RESULTS_TOPIC}. */
    public Builder optResultsTopic(String topic) {
      this.resultsTopic = topic;
      return this;
    }

    /**
     * Dead letters that mark a request FAILED before it rendered; {@code null} to ignore them.
     * Default {@value KilnApiServer#DEFAULT_DEAD_LETTER_TOPIC}; a missing topic is only logged.
     */
    public Builder optDeadLetterTopic(String topic) {
      this.deadLetterTopic = topic;
      return this;
    }

    /** Lifetime of presigned download URLs; default 15 minutes, at most 7 days. */
    public Builder optPresignTtl(Duration ttl) {
      this.presignTtl = ttl;
      return this;
    }

    /** Largest request body; larger ones get 413. Default 10 MiB. */
    public Builder optMaxBodyBytes(long maxBodyBytes) {
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /** Threads serving requests; a publish waits for Kafka on one. Default {@value KilnApiServer#DEFAULT_THREADS}. */
    public Builder optThreads(int threads) {
      this.threads = threads;
      return this;
    }

    /** Per-tenant hourly quotas, counted by this process; default {@link Quotas#UNLIMITED}. */
    public Builder optQuotas(Quotas quotas) {
      this.quotas = quotas;
      return this;
    }

    /**
     * Requests whose status is kept in memory; past it the oldest complete ones (then the oldest
     * at all) are forgotten and answer 404. Default {@value KilnApiServer#DEFAULT_MAX_TRACKED_REQUESTS}.
     */
    public Builder optMaxTrackedRequests(int maxTrackedRequests) {
      this.maxTrackedRequests = maxTrackedRequests;
      return this;
    }

    /** Requests that may wait for a handler thread. Default {@value KilnApiServer#DEFAULT_MAX_QUEUED_REQUESTS}. */
    public Builder optMaxQueuedRequests(int maxQueuedRequests) {
      this.maxQueuedRequests = maxQueuedRequests;
      return this;
    }

    /** Open connections at most. Default {@value KilnApiServer#DEFAULT_MAX_CONNECTIONS}. */
    public Builder optMaxConnections(int maxConnections) {
      this.maxConnections = maxConnections;
      return this;
    }

    /** The listening socket's backlog. Default {@value KilnApiServer#DEFAULT_ACCEPT_QUEUE_SIZE}. */
    public Builder optAcceptQueueSize(int acceptQueueSize) {
      this.acceptQueueSize = acceptQueueSize;
      return this;
    }

    /** A connection silent for this long is closed; default 30 s. */
    public Builder optIdleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
      return this;
    }

    /** A request line and headers must arrive within this; default 10 s. */
    public Builder optHeaderTimeout(Duration headerTimeout) {
      this.headerTimeout = headerTimeout;
      return this;
    }

    /** A blocked read of a request body (or write of a response) fails after this; default 30 s. */
    public Builder optRequestReadTimeout(Duration requestReadTimeout) {
      this.requestReadTimeout = requestReadTimeout;
      return this;
    }

    /**
     * How long {@link KilnApiServer#close()} lets requests in progress finish; default 2 s. Zero
     * closes connections at once.
     */
    public Builder optShutdownGrace(Duration grace) {
      this.shutdownGrace = grace;
      return this;
    }

    /** Stamps {@code submittedAt} and default batch ids; default UTC system clock. */
    public Builder optClock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Creates the producer from its config; default a {@link KafkaProducer}. Tests pass a MockProducer. */
    public Builder optProducerFactory(Function<Map<String, Object>, Producer<byte[], byte[]>> producers) {
      this.producers = producers;
      return this;
    }

    /** Creates the status consumer from its config; default a {@link KafkaConsumer}. */
    public Builder optConsumerFactory(Function<Map<String, Object>, Consumer<byte[], byte[]>> consumers) {
      this.consumers = consumers;
      return this;
    }

    /**
     * Checks the settings; the server starts with {@link KilnApiServer#start()}.
     *
     * @throws IllegalArgumentException naming the bad setting and how to fix it
     */
    public KilnApiServer build() {
      if (kafka == null) {
        throw new IllegalArgumentException("No bootstrap servers: call setBootstrapServers(\"localhost:9092\")"
            + " (kiln serve --bootstrap-servers)");
      }
      if (s3Settings == null) {
        throw new IllegalArgumentException("No S3 settings: call setS3Settings(...) with the bucket results are"
            + " published to, so download URLs can be presigned (kiln serve --s3-bucket)");
      }
      if (apiKeys == null || apiKeys.size() == 0) {
        throw new IllegalArgumentException("No API keys: every call would get 401; call setApiKeys(Map.of(key,"
            + " tenant)) or load a keys file with ApiKeys.load (kiln serve --api-keys)");
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port " + port + " is out of range: pass 0 (any free port) to 65535");
      }
      requireTopic("optRequestsTopic", requestsTopic);
      requireTopic("optResultsTopic", resultsTopic);
      S3AssetLinks.requireTtl(presignTtl);
      if (maxBodyBytes < 1024) {
        throw new IllegalArgumentException("maxBodyBytes " + maxBodyBytes + " is too small for even one request:"
            + " pass at least 1024 to optMaxBodyBytes");
      }
      if (shutdownGrace == null || shutdownGrace.isNegative()) {
        throw new IllegalArgumentException("shutdownGrace is " + shutdownGrace + ": pass zero or more to"
            + " optShutdownGrace");
      }
      if (threads < 1) {
        throw new IllegalArgumentException("threads is " + threads + ": pass at least 1 to optThreads");
      }
      requireAtLeast("optMaxQueuedRequests", maxQueuedRequests, 1);
      requireAtLeast("optMaxTrackedRequests", maxTrackedRequests, 1);
      Objects.requireNonNull(quotas, "quotas");
      requireAtLeast("optMaxConnections", maxConnections, 1);
      requireAtLeast("optAcceptQueueSize", acceptQueueSize, 1);
      requirePositive("optIdleTimeout", idleTimeout);
      requirePositive("optRequestReadTimeout", requestReadTimeout);
      if (headerTimeout == null || headerTimeout.compareTo(Duration.ofMillis(100)) < 0) {
        throw new IllegalArgumentException("header timeout is " + headerTimeout + ": pass at least 100 ms to"
            + " optHeaderTimeout, e.g. Duration.ofSeconds(10)");
      }
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(producers, "producers");
      Objects.requireNonNull(consumers, "consumers");
      Builder copy = new Builder();
      copy.kafka = kafka;
      copy.s3Settings = s3Settings;
      copy.apiKeys = apiKeys;
      copy.host = host;
      copy.port = port;
      copy.requestsTopic = requestsTopic;
      copy.resultsTopic = resultsTopic;
      copy.deadLetterTopic = deadLetterTopic == null || deadLetterTopic.isBlank() ? null : deadLetterTopic;
      copy.presignTtl = presignTtl;
      copy.maxBodyBytes = maxBodyBytes;
      copy.threads = threads;
      copy.maxQueuedRequests = maxQueuedRequests;
      copy.maxConnections = maxConnections;
      copy.acceptQueueSize = acceptQueueSize;
      copy.idleTimeout = idleTimeout;
      copy.headerTimeout = headerTimeout;
      copy.requestReadTimeout = requestReadTimeout;
      copy.quotas = quotas;
      copy.maxTrackedRequests = maxTrackedRequests;
      copy.shutdownGrace = shutdownGrace;
      copy.clock = clock;
      copy.producers = producers;
      copy.consumers = consumers;
      return new KilnApiServer(copy);
    }

    private static void requireAtLeast(String setter, int value, int min) {
      if (value < min) {
        throw new IllegalArgumentException(setter + " got " + value + ": pass at least " + min);
      }
    }

    private static void requirePositive(String setter, Duration value) {
      if (value == null || value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(setter + " got " + value + ": pass a positive duration");
      }
    }

    private static void requireTopic(String setter, String topic) {
      if (topic == null || topic.isBlank()) {
        throw new IllegalArgumentException("topic is blank: leave " + setter + " unset for the default or pass a"
            + " topic name");
      }
    }
  }
}
