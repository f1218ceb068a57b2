package dev.kiln.deploy.cli;

import java.time.Duration;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --checkpoint-interval} of {@code kiln local} and {@code kiln up}: a Flink duration ({@code 500 ms},
 * {@code 1s}, {@code 5 s}, {@code 1 min}, parsed by Flink's {@link TimeUtils#parseDuration}) from {@link #MIN} to
 * {@link #MAX}. A value outside that range, or without a unit, is a usage error that picocli prints after
 * "Invalid value for option '--checkpoint-interval'", before anything starts.
 */
final class CheckpointIntervalConverter implements ITypeConverter<Duration> {
  /**
   * Shorter is more likely a slip than a choice: every checkpoint is a state snapshot and a Kafka
   * transaction commit in each job. Both bounds are guard rails, not measured limits.
   */
  static final Duration MIN = Duration.ofMillis(100);
  /** Longer is more likely a slip too: a result would wait up to twice this before it becomes visible. */
  static final Duration MAX = Duration.ofMinutes(10);

  /** The option's help text; the commands add their default. */
  static final String DESCRIPTION = "How often both jobs checkpoint: 100 ms to 10 min, with a unit, e.g. 500 ms, 5 s,"
      + " 1 min. Results are committed, and visible, only when a checkpoint completes, so a request takes about the"
      + " model time plus one to two intervals; a shorter interval shows results sooner and costs more checkpoints";

  private static final String ALLOWED =
      "give a duration from 100 ms to 10 min with its unit, e.g. 500 ms, 5 s or 1 min";

  @Override
  public Duration convert(String value) {
    // Flink reads a bare number as milliseconds: "--checkpoint-interval 300" meant as seconds would
    // quietly checkpoint a thousand times as often.
    String text = value.strip();
    if (!text.isEmpty() && Character.isDigit(text.charAt(text.length() - 1))) {
      throw new TypeConversionException("'" + value + "' has no unit: " + ALLOWED);
    }
    if (text.startsWith("-")) {
      throw new TypeConversionException("'" + value + "' is negative: " + ALLOWED);
    }
    Duration interval;
    try {
      interval = TimeUtils.parseDuration(value);
    } catch (IllegalArgumentException e) { // NumberFormatException too
      throw new TypeConversionException("'" + value + "' is not a duration: " + ALLOWED);
    }
    if (interval.compareTo(MIN) < 0) {
      throw new TypeConversionException("'" + value + "' is under " + TimeUtils.formatWithHighestUnit(MIN) + ": "
          + ALLOWED);
    }
    if (interval.compareTo(MAX) > 0) {
      throw new TypeConversionException("'" + value + "' is over " + TimeUtils.formatWithHighestUnit(MAX) + ": "
          + ALLOWED);
    }
    return interval;
  }
}
