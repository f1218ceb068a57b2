package dev.kiln.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StackSpecTest {
  final StackSpec defaults = StackSpec.defaults(Path.of("data"), Path.of("repo"));

  @Test
  void checkpointsEveryTwoSecondsByDefault() {
    assertThat(defaults.checkpointInterval()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void keepsAChosenInterval() {
    assertThat(defaults.withCheckpointInterval(Duration.ofMinutes(1)).checkpointInterval())
        .isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void rejectsAnIntervalThatIsNotPositive() {
    assertThatIllegalArgumentException().isThrownBy(() -> defaults.withCheckpointInterval(Duration.ZERO))
        .withMessage("--checkpoint-interval must be positive, got 0 ms");
    assertThatIllegalArgumentException().isThrownBy(() -> defaults.withCheckpointInterval(Duration.ofSeconds(-1)))
        .withMessage("--checkpoint-interval must be positive, got -1000 ms");
  }
}
