package dev.kiln.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.wire.KilnOptions;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KilnStackTest {
  @TempDir Path dir;

  @Test
  void bothJobsCheckpointAtTheSpecsInterval() {
    StackSpec spec = StackSpec.defaults(dir, dir).withCheckpointInterval(Duration.ofMillis(500));
    KilnStack stack = new KilnStack(spec, new StackState());

    assertThat(stack.jobArgs(KilnStack.RENDER)).contains(KilnOptions.CHECKPOINT_INTERVAL.key() + "=500 ms");
    assertThat(stack.jobArgs(KilnStack.SAFETY)).contains(KilnOptions.CHECKPOINT_INTERVAL.key() + "=500 ms");
  }
}
