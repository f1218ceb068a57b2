package dev.kiln.render.batching;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SharedResourcesTest {
  @Test
  void sharesOneInstancePerKeyAndClosesItWithTheLastRelease() throws Exception {
    AtomicInteger created = new AtomicInteger();
    AtomicInteger closed = new AtomicInteger();
    Object key = new Object();
    SharedResources.Resource a = SharedResources.acquire(key, () -> {
      created.incrementAndGet();
      return closed::incrementAndGet;
    });
    SharedResources.Resource b = SharedResources.acquire(key, () -> {
      created.incrementAndGet();
      return closed::incrementAndGet;
    });
    assertThat(a).isSameAs(b);
    assertThat(created).hasValue(1);
    SharedResources.release(key);
    assertThat(closed).hasValue(0);
    assertThat(SharedResources.references(key)).isEqualTo(1);
    SharedResources.release(key);
    assertThat(closed).hasValue(1);
    assertThat(SharedResources.references(key)).isZero();
  }
}
