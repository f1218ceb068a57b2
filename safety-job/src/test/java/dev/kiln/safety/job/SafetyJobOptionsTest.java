package dev.kiln.safety.job;

import dev.kiln.wire.KilnOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class SafetyJobOptionsTest {
  @Test
  void reRendersANearDuplicateTwiceByDefault() {
    assertThat(SafetyJobOptions.maxRerenders(new Configuration())).isEqualTo(2);
    assertThat(new Configuration().get(KilnOptions.RERENDERS_TOPIC)).isEqualTo("kiln.rerenders");
  }

  @Test
  void rejectsANegativeMaxRerendersNamingTheOption() {
    Configuration config = new Configuration();
    config.set(SafetyJobOptions.MAX_RERENDERS, -1);
    assertThatThrownBy(() -> SafetyJobOptions.maxRerenders(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("kiln.safety.max-rerenders must be 0 or more (0: near-duplicates are never re-rendered,"
            + " only flagged), got -1");
  }

  @Test
  void classifiesOnOneThreadPerWorkerByDefault() {
    assertThat(SafetyJobOptions.classifierThreads(new Configuration())).isEqualTo(1);
  }

  @Test
  void rejectsNegativeClassifierThreadsNamingTheOption() {
    Configuration config = new Configuration();
    config.set(SafetyJobOptions.CLASSIFIER_THREADS, -2);
    assertThatThrownBy(() -> SafetyJobOptions.classifierThreads(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("kiln.safety.classifier-threads must be 0 (ONNX Runtime's default) or more, got -2");
  }
}
