package dev.kiln.ingest.webhook.internal;

import dev.failsafe.CircuitBreaker;
import dev.kiln.ingest.webhook.WebhookSender;
import dev.kiln.ingest.webhook.WebhookSender.Outcome;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane per tenant: a bounded FIFO queue, a worker thread that delivers from it one at a time,
 * and a circuit breaker (Failsafe's). A tenant whose receiver is dead or slow delays only its own
 * deliveries.
 *
 * <p><b>Drops.</b> A delivery is dropped, without being sent, when its tenant's queue already holds
 * {@code capacity} deliveries ({@link Outcome#QUEUE_FULL}), or when the tenant's breaker is open
 * as the worker takes it ({@link Outcome#CIRCUIT_OPEN}). Each drop is logged with the request id
 * the receiver can poll ({@code GET /v1/requests/{id}}) and ends like a delivery.
 *
 * <p><b>Breaker.</b> Closed at first. {@code failureThreshold} deliveries in a row that
 * {@link Outcome#GAVE_UP} (every attempt timed out, failed to connect or got 408/429/5xx) open it.
 * Any other end (delivered, or an answer a retry cannot change) counts as a success. After
 * {@code coolDown} the next delivery goes out as a probe: success closes the breaker, failure opens
 * it for another cool-down.
 *
 * <p>Workers start with a tenant's first delivery and are daemon threads; one per tenant that has
 * a webhook, which {@code kiln notify}'s config bounds. Thread-safe.
 */
public final class TenantLanes implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TenantLanes.class);
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(10);

  /**
   * One result to deliver.
   *
   * @param onEnd called once with how it ended, on the lane's thread (or the caller's when the queue
   *     is full); not called when the lanes are closed before it ends
   */
  public record Delivery(String tenant, String requestId, String imageId, byte[] body, Consumer<Outcome> onEnd) {
    public Delivery {
      Objects.requireNonNull(tenant, "tenant");
      Objects.requireNonNull(onEnd, "onEnd");
    }
  }

  private final WebhookSender sender;
  private final int capacity;
  private final int failureThreshold;
  private final Duration coolDown;
  private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public TenantLanes(WebhookSender sender, int capacity, int failureThreshold, Duration coolDown) {
    this.sender = Objects.requireNonNull(sender, "sender");
    this.capacity = capacity;
    this.failureThreshold = failureThreshold;
    this.coolDown = coolDown;
  }

  /** Queues {@code delivery} on its tenant's lane, or ends it as {@link Outcome#QUEUE_FULL} at once. */
  public void submit(Delivery delivery) {
    if (closed) {
      throw new IllegalStateException("lanes are closed");
    }
    Lane lane = lanes.computeIfAbsent(delivery.tenant(), Lane::new);
    if (!lane.queue.offer(delivery)) {
      drop(delivery, Outcome.QUEUE_FULL, capacity + " waiting");
    }
  }

  /** The tenant's breaker state; CLOSED for a tenant without deliveries yet. */
  public CircuitBreaker.State state(String tenant) {
    Lane lane = lanes.get(tenant);
    return lane == null ? CircuitBreaker.State.CLOSED : lane.breaker.getState();
  }

  /**
   * Stops every worker, interrupting the delivery in progress; deliveries that did not end stay
   * unended (their offsets uncommitted, so they are delivered again after a restart).
   */
  @Override
  public void close() {
    closed = true;
    lanes.values().forEach(lane -> lane.worker.interrupt());
    for (Lane lane : lanes.values()) {
      try {
        lane.worker.join(JOIN_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void drop(Delivery delivery, Outcome outcome, String why) {
    LOG.warn("webhooks for tenant {}: dropped image {} ({}, {}); its receiver can poll GET /v1/requests/{}",
        delivery.tenant(), delivery.imageId(), outcome, why, delivery.requestId());
    delivery.onEnd().accept(outcome);
  }

  private final class Lane {
    final String tenant;
    final BlockingQueue<Delivery> queue = new LinkedBlockingQueue<>(capacity);
    final CircuitBreaker<Object> breaker;
    final AtomicLong droppedWhileOpen = new AtomicLong();
    final Thread worker;

    Lane(String tenant) {
      this.tenant = tenant;
      this.breaker = CircuitBreaker.builder()
          .withFailureThreshold(failureThreshold)
          .withSuccessThreshold(1)
          .withDelay(coolDown)
          .onOpen(e -> LOG.warn("webhooks for tenant {}: circuit open after {} failed deliveries in a row;"
              + " dropping its deliveries for {}, then sending one as a probe", tenant, failureThreshold, coolDown))
          .onHalfOpen(e -> LOG.info("webhooks for tenant {}: cool-down over, sending a probe", tenant))
          .onClose(e -> LOG.info("webhooks for tenant {}: circuit closed, the receiver answers again;"
              + " {} deliveries were dropped while open", tenant, droppedWhileOpen.getAndSet(0)))
          .build();
      this.worker = new Thread(this::work, "kiln-webhooks-" + tenant);
      worker.setDaemon(true);
      worker.start();
    }

    private void work() {
      while (!closed) {
        Delivery delivery;
        try {
          delivery = queue.poll(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          return;
        }
        if (delivery == null) {
          continue;
        }
        if (!breaker.tryAcquirePermit()) {
          droppedWhileOpen.incrementAndGet();
          drop(delivery, Outcome.CIRCUIT_OPEN, "retry in " + breaker.getRemainingDelay().toSeconds() + " s");
          continue;
        }
        Outcome outcome;
        try {
          outcome = sender.deliver(delivery.tenant(), delivery.imageId(), delivery.body());
        } catch (InterruptedException e) {
          // close(): the delivery did not end, so its offset is not committed.
          return;
        }
        if (outcome == Outcome.GAVE_UP) {
          breaker.recordFailure();
        } else {
          breaker.recordSuccess();
        }
        delivery.onEnd().accept(outcome);
      }
    }
  }
}
