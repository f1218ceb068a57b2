package dev.kiln.ingest.webhook;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs one JSON body to a tenant's webhook, signed (see {@link Signatures}), retrying with
 * exponential backoff. Thread-safe.
 *
 * <p>Retried: connection errors, timeouts, 408, 429 and 5xx answers, up to
 * {@code maxAttempts} attempts in all. Not retried: 3xx (redirects are not followed: a signed
 * body must not wander to another host) and other 4xx, which a retry cannot fix. Both end as an
 * error in the log; the caller moves on.
 *
 * <p>Headers of every attempt: {@code Content-Type: application/json},
 * {@code X-Kiln-Timestamp} (Unix seconds of this attempt), {@code X-Kiln-Signature: v1=...} (over
 * that timestamp and the body, see {@link Signatures}),
 * {@code X-Kiln-Image-Id} (the receiver's deduplication key) and {@code X-Kiln-Attempt} (1, 2, ...).
 */
public final class WebhookSender {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
  public static final String IMAGE_ID_HEADER = "X-Kiln-Image-Id";
  public static final String ATTEMPT_HEADER = "X-Kiln-Attempt";
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** How a delivery ended. */
  public enum Outcome {
    /** The receiver answered 2xx. */
    DELIVERED,
    /** The tenant has no webhook; nothing was sent. */
    NO_ENDPOINT,
    /** The receiver answered with a status a retry cannot change (3xx, 4xx other than 408/429). */
    REJECTED,
    /** Every attempt failed with a retryable error. */
    GAVE_UP,
    /** Not sent: the tenant's queue was full. Set by {@link WebhookNotifier}, never by {@link #deliver}. */
    QUEUE_FULL,
    /** Not sent: the tenant's circuit breaker was open. Set by {@link WebhookNotifier}, never by {@link #deliver}. */
    CIRCUIT_OPEN
  }

  private final WebhookConfig config;
  private final HttpClient http;
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration requestTimeout;
  private final Clock clock;

  private WebhookSender(Builder b, HttpClient http) {
    this.config = b.config;
    this.http = http;
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.requestTimeout = b.requestTimeout;
    this.clock = b.clock;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Delivers {@code body} to {@code tenant}'s webhook.
   *
   * @param imageId sent as {@value #IMAGE_ID_HEADER} and used in log lines
   * @throws InterruptedException when interrupted while sending or backing off; nothing more is sent
   */
  public Outcome deliver(String tenant, String imageId, byte[] body) throws InterruptedException {
    WebhookConfig.Endpoint endpoint = config.endpoint(tenant).orElse(null);
    if (endpoint == null) {
      return Outcome.NO_ENDPOINT;
    }
    // Logs show only scheme, host and port: receivers often put a token in the path or query.
    String url = WebhookConfig.redact(endpoint.url());
    String last = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) {
        Thread.sleep(backoff(attempt - 1).toMillis());
      }
      // Signed afresh for each attempt: a retry after a long backoff must still be fresh.
      long timestamp = clock.instant().getEpochSecond();
      HttpRequest request = HttpRequest.newBuilder(endpoint.url())
          .timeout(requestTimeout)
          .header("Content-Type", "application/json")
          .header(Signatures.SIGNATURE_HEADER, Signatures.sign(timestamp, body, endpoint.secret()))
          .header(Signatures.TIMESTAMP_HEADER, String.valueOf(timestamp))
          .header(IMAGE_ID_HEADER, imageId)
          .header(ATTEMPT_HEADER, String.valueOf(attempt))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body))
          .build();
      int status;
      try {
        status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      } catch (IOException e) {
        // Connection refused or reset, or HttpTimeoutException: the receiver may be restarting.
        last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        LOG.warn("webhook {} for tenant {}, image {}: attempt {} of {} failed: {}", url, tenant, imageId,
            attempt, maxAttempts, last);
        continue;
      }
      if (status >= 200 && status < 300) {
        LOG.debug("webhook {} for tenant {}, image {}: delivered on attempt {}", url, tenant, imageId,
            attempt);
        return Outcome.DELIVERED;
      }
      last = "HTTP " + status;
      if (!retryable(status)) {
        LOG.error("webhook {} for tenant {}, image {}: rejected with {}; not retrying", url, tenant,
            imageId, last);
        return Outcome.REJECTED;
      }
      LOG.warn("webhook {} for tenant {}, image {}: attempt {} of {} failed: {}", url, tenant, imageId,
          attempt, maxAttempts, last);
    }
    LOG.error("webhook {} for tenant {}, image {}: gave up after {} attempts, last: {}", url, tenant,
        imageId, maxAttempts, last);
    return Outcome.GAVE_UP;
  }

  /** Whether {@code tenant} has a webhook. */
  boolean hasEndpoint(String tenant) {
    return config.endpoint(tenant).isPresent();
  }

  /** The longest a delivery can take: every attempt timing out, plus every backoff at its longest. */
  public Duration worstCase() {
    Duration total = requestTimeout.multipliedBy(maxAttempts);
    for (int retry = 1; retry < maxAttempts; retry++) {
      total = total.plus(ceiling(retry));
    }
    return total;
  }

  private static boolean retryable(int status) {
    return status == 408 || status == 429 || status >= 500;
  }

  /** Exponential with "equal jitter": between half and all of the ceiling, so receivers see spread-out retries. */
  private Duration backoff(int retry) {
    long ceiling = ceiling(retry).toMillis();
    return Duration.ofMillis(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
  }

  private Duration ceiling(int retry) {
    Duration d = initialBackoff.multipliedBy(1L << Math.min(retry - 1, 30));
    return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
  }

  /** Builder: {@code setConfig} is required, {@code opt*} optional. Not thread-safe. */
  public static final class Builder {
    private WebhookConfig config;
    private HttpClient http;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** Required: each tenant's URL and secret. */
    public Builder setConfig(WebhookConfig config) {
      this.config = config;
      return this;
    }

    /**
     * The client to send with; default one with {@link #optConnectTimeout}, HTTP/1.1 and no
     * redirects. A client given here keeps its own connect timeout.
     */
    public Builder optHttpClient(HttpClient http) {
      this.http = http;
      return this;
    }

    /** Attempts per delivery, the first included; default 5. */
    public Builder optMaxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** Backoff before the first retry, doubled for each further one; default 1 s. */
    public Builder optInitialBackoff(Duration backoff) {
      this.initialBackoff = backoff;
      return this;
    }

    /** Cap on one backoff; default 30 s. */
    public Builder optMaxBackoff(Duration backoff) {
      this.maxBackoff = backoff;
      return this;
    }

    /** Deadline for opening a connection; default 5 s. */
    public Builder optConnectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    /** Deadline for one attempt's response; default 10 s. */
    public Builder optRequestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    /** Stamps {@code X-Kiln-Timestamp}; default UTC system clock. */
    public Builder optClock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the bad setting and how to fix it
     */
    public WebhookSender build() {
      if (config == null) {
        throw new IllegalArgumentException("No webhook config: call setConfig(WebhookConfig.load(path))"
            + " (kiln notify --webhooks)");
      }
      if (maxAttempts < 1 || maxAttempts > 20) {
        throw new IllegalArgumentException("maxAttempts is " + maxAttempts + ": pass 1 (no retries) to 20 to"
            + " optMaxAttempts");
      }
      requirePositive("initialBackoff", "optInitialBackoff", initialBackoff);
      requirePositive("maxBackoff", "optMaxBackoff", maxBackoff);
      requirePositive("connectTimeout", "optConnectTimeout", connectTimeout);
      requirePositive("requestTimeout", "optRequestTimeout", requestTimeout);
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("maxBackoff (" + maxBackoff + ") is shorter than initialBackoff ("
            + initialBackoff + "): raise optMaxBackoff or lower optInitialBackoff");
      }
      Objects.requireNonNull(clock, "clock");
      HttpClient client = http != null ? http : HttpClient.newBuilder()
          .connectTimeout(connectTimeout)
          .followRedirects(HttpClient.Redirect.NEVER)
          .version(HttpClient.Version.HTTP_1_1)
          .build();
      return new WebhookSender(this, client);
    }

    private static void requirePositive(String name, String setter, Duration value) {
      if (value == null || value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " is " + value + ": pass a positive duration to " + setter
            + ", e.g. Duration.ofSeconds(1)");
      }
    }
  }
}
