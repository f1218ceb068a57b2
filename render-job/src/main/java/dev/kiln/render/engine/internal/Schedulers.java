package dev.kiln.render.engine.internal;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Builds the {@link NoiseScheduler} a {@code scheduler_config.json} names. */
public final class Schedulers {
  private static final Map<String, Function<SchedulerConfig, NoiseScheduler>> SUPPORTED = Map.of(
      DdimScheduler.NAME, DdimScheduler::new,
      EulerDiscreteScheduler.NAME, EulerDiscreteScheduler::new,
      EulerAncestralDiscreteScheduler.NAME, EulerAncestralDiscreteScheduler::new,
      LcmScheduler.NAME, LcmScheduler::new,
      PndmScheduler.NAME, PndmScheduler::new);

  private Schedulers() {}

  /** Supported diffusers class names, sorted. */
  public static List<String> supported() {
    return SUPPORTED.keySet().stream().sorted().toList();
  }

  /**
   * The scheduler for {@code config}. {@code classOverride}, when not null, replaces the config's
   * {@code _class_name} while keeping its beta and spacing settings, as diffusers'
   * {@code OtherScheduler.from_config(pipe.scheduler.config)} does.
   *
   * @throws IllegalArgumentException naming the supported classes when the class is unknown, or
   *     naming the setting when a value is unsupported
   */
  public static NoiseScheduler create(SchedulerConfig config, String classOverride) {
    String name = classOverride != null ? classOverride : config.className();
    if (name == null) {
      throw new IllegalArgumentException("_class_name is missing; expected one of " + String.join(", ", supported()));
    }
    Function<SchedulerConfig, NoiseScheduler> factory = SUPPORTED.get(name);
    if (factory == null) {
      throw new IllegalArgumentException("scheduler class '" + name + "' is not supported; expected one of "
          + String.join(", ", supported()));
    }
    return factory.apply(config);
  }
}
