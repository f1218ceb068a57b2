package dev.kiln.ingest.http.internal;

import dev.kiln.ingest.http.Quotas;
import dev.kiln.ingest.http.Quotas.Limit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * Counts each tenant's accepted images and pixel-steps over a sliding window (an hour) and refuses
 * a call that would pass a limit, whole. Kept in memory: one entry per accepted call within the
 * window, and only for tenants with a limit. Thread-safe.
 */
public final class QuotaCounter {
  /** The window the limits apply to. */
  public static final Duration WINDOW = Duration.ofHours(1);

  /** What a call asks for. */
  public record Cost(long images, long pixelSteps) {}

  /**
   * Why a call was refused.
   *
   * @param quota {@code imagesPerHour} or {@code pixelStepsPerHour}
   * @param used what the window already holds
   * @param retryAfter until enough of the window has expired for the call to fit; the whole window
   *     when the call alone is over the limit and never fits
   */
  public record Refusal(String quota, long limit, long requested, long used, Duration retryAfter) {
    public boolean neverFits() {
      return requested > limit;
    }
  }

  private record Charge(Instant at, long images, long pixelSteps) {}

  private final Quotas quotas;
  private final Map<String, Deque<Charge>> charges = new HashMap<>();

  public QuotaCounter(Quotas quotas) {
    this.quotas = Objects.requireNonNull(quotas, "quotas");
  }

  /**
   * Charges {@code cost} to the tenant at {@code now} if it fits both limits; otherwise charges
   * nothing and says which limit it passes (images first).
   */
  public synchronized Optional<Refusal> tryCharge(String tenant, Cost cost, Instant now) {
    Limit limit = quotas.of(tenant);
    if (limit.unlimited()) {
      return Optional.empty();
    }
    Deque<Charge> window = charges.computeIfAbsent(tenant, t -> new ArrayDeque<>());
    expire(window, now);
    long images = 0;
    long pixelSteps = 0;
    for (Charge c : window) {
      images += c.images();
      pixelSteps += c.pixelSteps();
    }
    if (limit.imagesPerHour() > 0 && images + cost.images() > limit.imagesPerHour()) {
      return Optional.of(new Refusal("imagesPerHour", limit.imagesPerHour(), cost.images(), images,
          retryAfter(window, now, images, cost.images(), limit.imagesPerHour(), Charge::images)));
    }
    if (limit.pixelStepsPerHour() > 0 && pixelSteps + cost.pixelSteps() > limit.pixelStepsPerHour()) {
      return Optional.of(new Refusal("pixelStepsPerHour", limit.pixelStepsPerHour(), cost.pixelSteps(), pixelSteps,
          retryAfter(window, now, pixelSteps, cost.pixelSteps(), limit.pixelStepsPerHour(), Charge::pixelSteps)));
    }
    window.addLast(new Charge(now, cost.images(), cost.pixelSteps()));
    return Optional.empty();
  }

  /**
   * Takes back the charge {@link #tryCharge} made for the same tenant and cost, e.g. when
   * publishing failed and the caller will retry.
   */
  public synchronized void refund(String tenant, Cost cost) {
    Deque<Charge> window = charges.get(tenant);
    if (window == null) {
      return;
    }
    for (Iterator<Charge> it = window.descendingIterator(); it.hasNext(); ) {
      Charge c = it.next();
      if (c.images() == cost.images() && c.pixelSteps() == cost.pixelSteps()) {
        it.remove();
        return;
      }
    }
  }

  private static void expire(Deque<Charge> window, Instant now) {
    Instant oldest = now.minus(WINDOW);
    while (!window.isEmpty() && !window.peekFirst().at().isAfter(oldest)) {
      window.removeFirst();
    }
  }

  private static Duration retryAfter(Deque<Charge> window, Instant now, long used, long requested, long limit,
      ToLongFunction<Charge> amount) {
    if (requested > limit) {
      return WINDOW;
    }
    long remaining = used;
    for (Charge c : window) {
      remaining -= amount.applyAsLong(c);
      if (remaining + requested <= limit) {
        return Duration.between(now, c.at().plus(WINDOW));
      }
    }
    return WINDOW; // unreachable: an empty window fits any request within the limit
  }
}
