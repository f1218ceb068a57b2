package dev.kiln.ingest.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.ingest.http.Quotas;
import dev.kiln.ingest.http.Quotas.Limit;
import dev.kiln.ingest.http.internal.QuotaCounter.Cost;
import dev.kiln.ingest.http.internal.QuotaCounter.Refusal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuotaCounterTest {
  static final Instant T0 = Instant.parse("2026-11-22T00:00:00Z");
  final QuotaCounter counter = new QuotaCounter(Quotas.of(new Limit(100, 1_000_000),
      Map.of("big", new Limit(0, 0), "small", new Limit(10, 0))));

  @Test
  void chargesUpToTheLimitThenRefusesWithTheTimeUntilEnoughExpires() {
    assertThat(counter.tryCharge("acme", new Cost(60, 1), T0)).isEmpty();
    assertThat(counter.tryCharge("acme", new Cost(30, 1), T0.plus(Duration.ofMinutes(10)))).isEmpty();

    Refusal refusal = counter.tryCharge("acme", new Cost(20, 1), T0.plus(Duration.ofMinutes(20))).orElseThrow();

    assertThat(refusal.quota()).isEqualTo("imagesPerHour");
    assertThat(refusal.limit()).isEqualTo(100);
    assertThat(refusal.requested()).isEqualTo(20);
    assertThat(refusal.used()).isEqualTo(90);
    // The first 60 expire at 60 min, and then 30 + 20 fit.
    assertThat(refusal.retryAfter()).isEqualTo(Duration.ofMinutes(40));
    assertThat(counter.tryCharge("acme", new Cost(20, 1), T0.plus(Duration.ofMinutes(60)))).isEmpty();
  }

  @Test
  void aRefusedCallIsNotCharged() {
    counter.tryCharge("acme", new Cost(95, 1), T0);

    assertThat(counter.tryCharge("acme", new Cost(10, 1), T0)).isPresent();
    assertThat(counter.tryCharge("acme", new Cost(5, 1), T0)).isEmpty();
  }

  @Test
  void pixelStepsAreLimitedToo() {
    Refusal refusal = counter.tryCharge("acme", new Cost(1, 1_000_001), T0).orElseThrow();

    assertThat(refusal.quota()).isEqualTo("pixelStepsPerHour");
    assertThat(refusal.neverFits()).isTrue();
    assertThat(refusal.retryAfter()).isEqualTo(QuotaCounter.WINDOW);
  }

  @Test
  void overridesApplyPerTenantAndTenantsDoNotShare() {
    assertThat(counter.tryCharge("big", new Cost(1_000_000, Long.MAX_VALUE / 2), T0)).isEmpty();
    assertThat(counter.tryCharge("small", new Cost(11, 1), T0)).isPresent();
    assertThat(counter.tryCharge("acme", new Cost(100, 1), T0)).isEmpty();
    assertThat(counter.tryCharge("globex", new Cost(100, 1), T0)).isEmpty();
  }

  @Test
  void aRefundFreesTheCharge() {
    counter.tryCharge("acme", new Cost(100, 1), T0);
    counter.refund("acme", new Cost(100, 1));

    assertThat(counter.tryCharge("acme", new Cost(100, 1), T0)).isEmpty();
  }
}
