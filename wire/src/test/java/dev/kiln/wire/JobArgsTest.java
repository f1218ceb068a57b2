package dev.kiln.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class JobArgsTest {
  private static final ConfigOption<Integer> LEVEL = ConfigOptions.key("kiln.test.level").intType().defaultValue(4);

  @Test
  void parsesKeyValueAndDashDArguments() {
    Configuration config = JobArgs.parse(new String[] {"kiln.test.level=7", "-Dkiln.other=a=b"});
    assertThat(config.get(LEVEL)).isEqualTo(7);
    assertThat(config.toMap()).containsEntry("kiln.other", "a=b");
    assertThatThrownBy(() -> JobArgs.parse(new String[] {"level"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("job argument \"level\" is not key=value");
  }

  @Test
  void checkedIntReturnsValuesInRangeAndNamesTheOptionOtherwise() {
    Configuration config = new Configuration();
    assertThat(JobArgs.checkedInt(config, LEVEL, 0, 9, "0 to 9")).isEqualTo(4);
    config.set(LEVEL, 0);
    assertThat(JobArgs.checkedInt(config, LEVEL, 0, 9, "0 to 9")).isEqualTo(0);
    config.set(LEVEL, 9);
    assertThat(JobArgs.checkedInt(config, LEVEL, 0, 9, "0 to 9")).isEqualTo(9);
    config.set(LEVEL, 10);
    assertThatThrownBy(() -> JobArgs.checkedInt(config, LEVEL, 0, 9, "0 to 9"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("kiln.test.level must be 0 to 9, got 10");
    config.set(LEVEL, -1);
    assertThatThrownBy(() -> JobArgs.checkedInt(config, LEVEL, 0, 9, "0 to 9"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("kiln.test.level must be 0 to 9, got -1");
  }
}
