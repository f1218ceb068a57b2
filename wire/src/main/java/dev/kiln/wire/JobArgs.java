package dev.kiln.wire;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/** Parses a Kiln job's {@code key=value} or {@code -Dkey=value} arguments into a Flink configuration. */
public final class JobArgs {
  private JobArgs() {}

  public static Configuration parse(String[] args) {
    Map<String, String> settings = new LinkedHashMap<>();
    for (String arg : args) {
      String a = arg.startsWith("-D") ? arg.substring(2) : arg;
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("job argument \"" + arg + "\" is not key=value (e.g. kiln.kafka.bootstrap-servers=broker:9092)");
      }
      settings.put(a.substring(0, eq), a.substring(eq + 1));
    }
    return Configuration.fromMap(settings);
  }

  /**
   * {@code option}'s value in {@code config}, checked to lie in {@code min..max}.
   *
   * @param allowed the allowed values as the error states them, e.g. "0 (automatic) or more"
   * @throws IllegalArgumentException "{key} must be {allowed}, got {value}" when it does not
   */
  public static int checkedInt(Configuration config, ConfigOption<Integer> option, int min, int max, String allowed) {
    int value = config.get(option);
    if (value < min || value > max) {
      throw new IllegalArgumentException(option.key() + " must be " + allowed + ", got " + value);
    }
    return value;
  }
}
