package dev.kiln.render.batching;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class FairExecutorTest {
  /** A pool that runs tokens only when asked, one at a time, in the order they came. */
  private final Deque<Runnable> tokens = new ArrayDeque<>();
  private final FairExecutor fair = new FairExecutor(tokens::addLast);
  private final List<String> ran = new ArrayList<>();

  private void runAll() {
    while (!tokens.isEmpty()) {
      tokens.pollFirst().run();
    }
  }

  @Test
  void aTenantsOneTaskRunsSecondNotAfterAnotherTenantsBacklog() {
    for (int i = 0; i < 2_000; i++) {
      int n = i;
      fair.execute("a", BatchingEngine.Lane.BULK, () -> ran.add("a" + n));
    }
    fair.execute("b", BatchingEngine.Lane.BULK, () -> ran.add("b0"));

    runAll();

    assertThat(ran).hasSize(2_001);
    assertThat(ran.indexOf("b0")).isEqualTo(1);
    assertThat(ran.subList(0, 3)).containsExactly("a0", "b0", "a1");
    assertThat(fair.queued()).isZero();
  }

  @Test
  void interactiveTasksGoAheadOfEveryBulkTaskAndEachTenantKeepsItsOwnOrder() {
    for (int i = 0; i < 3; i++) {
      int n = i;
      fair.execute("a", BatchingEngine.Lane.BULK, () -> ran.add("a" + n));
      fair.execute("b", BatchingEngine.Lane.BULK, () -> ran.add("b" + n));
    }
    fair.forTenant("a", BatchingEngine.Lane.INTERACTIVE).execute(() -> ran.add("a-api"));

    runAll();

    assertThat(ran).containsExactly("a-api", "a0", "b0", "a1", "b1", "a2", "b2");
  }
}
