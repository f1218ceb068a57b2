package dev.kiln.render.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The parsed {@code scheduler_config.json}, plus the pieces every diffusers scheduler shares: the
 * beta schedule, cumulative alphas and timestep spacing. Defaults are the calling scheduler's
 * diffusers defaults, so a key missing from the file behaves as in diffusers.
 */
public final class SchedulerConfig {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final JsonNode json;

  public SchedulerConfig(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException("scheduler config must be a JSON object");
    }
    this.json = json;
  }

  public static SchedulerConfig read(Path file) throws IOException {
    return new SchedulerConfig(JSON.readTree(file.toFile()));
  }

  public static SchedulerConfig parse(String text) {
    try {
      return new SchedulerConfig(JSON.readTree(text));
    } catch (IOException e) {
      throw new IllegalArgumentException("scheduler config is not JSON: " + e.getMessage(), e);
    }
  }

  /** {@code _class_name}, or null when absent. */
  public String className() {
    JsonNode n = json.get("_class_name");
    return n == null || n.isNull() ? null : n.asText();
  }

  public int integer(String key, int fallback) {
    JsonNode n = json.get(key);
    return n == null || n.isNull() ? fallback : n.asInt();
  }

  public double number(String key, double fallback) {
    JsonNode n = json.get(key);
    return n == null || n.isNull() ? fallback : n.asDouble();
  }

  public boolean flag(String key, boolean fallback) {
    JsonNode n = json.get(key);
    return n == null || n.isNull() ? fallback : n.asBoolean();
  }

  public String text(String key, String fallback) {
    JsonNode n = json.get(key);
    return n == null || n.isNull() ? fallback : n.asText();
  }

  /** {@code text(key)} checked against the supported values, with an error naming them. */
  public String choice(String key, String fallback, List<String> supported) {
    String value = text(key, fallback);
    if (!supported.contains(value)) {
      throw new IllegalArgumentException(key + " '" + value + "' is not supported; expected one of "
          + String.join(", ", supported));
    }
    return value;
  }

  /** Fails when {@code key} is set to anything but its neutral value. */
  public void requireUnset(String key, Object neutral, String why) {
    JsonNode n = json.get(key);
    if (n == null || n.isNull()) {
      return;
    }
    boolean neutralValue = neutral instanceof Boolean b ? n.asBoolean() == b : n.asText().equals(String.valueOf(neutral));
    if (!neutralValue) {
      throw new IllegalArgumentException(key + " = " + n + " is not supported (" + why + ")");
    }
  }

  /**
   * Cumulative products of {@code 1 - beta} over the training timesteps, as diffusers builds them
   * from {@code beta_schedule} (linear, scaled_linear, squaredcos_cap_v2) or {@code trained_betas}.
   * Betas are computed in double and rounded to float (diffusers uses float32 throughout); the
   * product accumulates in double, as torch's CPU cumprod does for float32.
   */
  public float[] alphasCumprod(int trainSteps, double betaStart, double betaEnd, String betaSchedule) {
    float[] betas = new float[trainSteps];
    JsonNode trained = json.get("trained_betas");
    if (trained != null && trained.isArray() && trained.size() > 0) {
      if (trained.size() != trainSteps) {
        throw new IllegalArgumentException("trained_betas has " + trained.size() + " values; num_train_timesteps is "
            + trainSteps);
      }
      for (int i = 0; i < trainSteps; i++) {
        betas[i] = (float) trained.get(i).asDouble();
      }
    } else {
      switch (betaSchedule) {
        case "linear" -> {
          for (int i = 0; i < trainSteps; i++) {
            betas[i] = (float) linspaceAt(betaStart, betaEnd, trainSteps, i);
          }
        }
        case "scaled_linear" -> {
          double s = Math.sqrt(betaStart);
          double e = Math.sqrt(betaEnd);
          for (int i = 0; i < trainSteps; i++) {
            float root = (float) linspaceAt(s, e, trainSteps, i);
            betas[i] = root * root;
          }
        }
        case "squaredcos_cap_v2" -> {
          for (int i = 0; i < trainSteps; i++) {
            double t1 = (double) i / trainSteps;
            double t2 = (double) (i + 1) / trainSteps;
            betas[i] = (float) Math.min(1 - cosineAlphaBar(t2) / cosineAlphaBar(t1), 0.999);
          }
        }
        default -> throw new IllegalArgumentException("beta_schedule '" + betaSchedule
            + "' is not supported; expected one of linear, scaled_linear, squaredcos_cap_v2");
      }
    }
    float[] cumprod = new float[trainSteps];
    double acc = 1.0;
    for (int i = 0; i < trainSteps; i++) {
      acc *= (1.0f - betas[i]);
      cumprod[i] = (float) acc;
    }
    return cumprod;
  }

  private static double cosineAlphaBar(double t) {
    double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
    return c * c;
  }

  private static double linspaceAt(double start, double end, int n, int i) {
    return n == 1 ? start : start + (end - start) * i / (n - 1);
  }

  /**
   * diffusers' inference timesteps, largest first, before any scheduler-specific offset:
   * {@code leading}: {@code arange(0, n) * (T // n)} (+ steps_offset, added here);
   * {@code trailing}: {@code round(arange(T, 0, -T / n)) - 1};
   * {@code linspace}: {@code linspace(0, T - 1, n)}, unrounded (DDIM rounds it, Euler keeps fractions).
   * Rounding is half-to-even, as numpy's.
   */
  public static double[] spacedTimesteps(String spacing, int trainSteps, int steps, int stepsOffset) {
    double[] t;
    switch (spacing) {
      case "leading" -> {
        int ratio = trainSteps / steps;
        t = new double[steps];
        for (int i = 0; i < steps; i++) {
          t[i] = (double) (steps - 1 - i) * ratio + stepsOffset;
        }
      }
      case "trailing" -> {
        // numpy.arange(T, 0, -T/n): length ceil((stop - start) / step), values start + i * delta with
        // delta = (start + step) - start, which is what numpy's fill computes.
        double start = trainSteps;
        double step = -(double) trainSteps / steps;
        int length = (int) Math.ceil((0 - start) / step);
        double delta = (start + step) - start;
        t = new double[length];
        for (int i = 0; i < length; i++) {
          t[i] = Math.rint(start + i * delta) - 1;
        }
      }
      case "linspace" -> {
        t = new double[steps];
        double stop = trainSteps - 1;
        double step = steps > 1 ? stop / (steps - 1) : 0;
        for (int i = 0; i < steps; i++) {
          t[steps - 1 - i] = i == steps - 1 && steps > 1 ? stop : i * step;
        }
      }
      default -> throw new IllegalArgumentException("timestep_spacing '" + spacing
          + "' is not supported; expected one of leading, trailing, linspace");
    }
    return t;
  }

  @Override
  public String toString() {
    return json.toString();
  }

  static float[] copy(float[] a) {
    return Arrays.copyOf(a, a.length);
  }
}
