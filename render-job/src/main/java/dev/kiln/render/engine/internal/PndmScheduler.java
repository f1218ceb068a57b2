package dev.kiln.render.engine.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code PNDMScheduler} in its PLMS form ({@code skip_prk_steps = true}), the scheduler
 * Stable Diffusion 1.5 ships with. A loop of {@code n} steps makes {@code n + 1} UNet calls: the
 * second call repeats the first timestep to bootstrap the linear multistep history. Honours the
 * beta settings, set_alpha_to_one, steps_offset, prediction_type (epsilon, v_prediction) and
 * leading spacing; the Runge-Kutta warm-up ({@code skip_prk_steps = false}) is refused.
 */
public final class PndmScheduler implements NoiseScheduler {
  public static final String NAME = "PNDMScheduler";

  private final int trainSteps;
  private final float[] alphasCumprod;
  private final float finalAlphaCumprod;
  private final int stepsOffset;
  private final String prediction;

  public PndmScheduler(SchedulerConfig c) {
    trainSteps = c.integer("num_train_timesteps", 1000);
    alphasCumprod = c.alphasCumprod(trainSteps, c.number("beta_start", 0.0001), c.number("beta_end", 0.02),
        c.text("beta_schedule", "linear"));
    finalAlphaCumprod = c.flag("set_alpha_to_one", false) ? 1.0f : alphasCumprod[0];
    stepsOffset = c.integer("steps_offset", 0);
    prediction = c.choice("prediction_type", "epsilon", List.of("epsilon", "v_prediction"));
    c.choice("timestep_spacing", "leading", List.of("leading"));
    if (!c.flag("skip_prk_steps", false)) {
      throw new IllegalArgumentException("skip_prk_steps = false is not supported (only the PLMS form of PNDM is "
          + "implemented): set skip_prk_steps to true or choose another scheduler");
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int maxSteps() {
    return trainSteps;
  }

  /**
   * The PLMS timesteps: leading spacing, largest first, with the second-largest timestep twice
   * ({@code [801, 601, 601, 401, 201, 1]} for 5 steps); a single step is just {@code [1]}.
   */
  public int[] timesteps(int steps) {
    DdimScheduler.checkSteps(steps, trainSteps);
    double[] base = SchedulerConfig.spacedTimesteps("leading", trainSteps, steps, stepsOffset); // descending
    if (steps == 1) {
      return new int[] {(int) base[0]};
    }
    // diffusers: concatenate([t[:-1], t[-2:-1], t[-1:]])[::-1] over the ascending list.
    int[] t = new int[steps + 1];
    t[0] = (int) base[0];
    t[1] = (int) base[1];
    t[2] = (int) base[1];
    for (int i = 3; i <= steps; i++) {
      t[i] = (int) base[i - 1];
    }
    return t;
  }

  @Override
  public Sampling start(int steps) {
    int[] timesteps = timesteps(steps);
    int stride = trainSteps / steps;
    return new UnscaledSampling(timesteps) {
      private final List<float[]> ets = new ArrayList<>();
      private int counter;
      private float[] curSample;

      @Override
      public float[] step(float[] modelOutput, int call, float[] sample) {
        if (call != counter) {
          throw new IllegalStateException("PLMS steps must run in order: expected call " + counter + ", got " + call);
        }
        int t = timesteps[call];
        int prev = t - stride;
        if (counter != 1) {
          while (ets.size() > 3) {
            ets.remove(0);
          }
          ets.add(modelOutput);
        } else {
          prev = t;
          t = t + stride;
        }
        float[] m = new float[modelOutput.length];
        float[] x = sample;
        int n = ets.size();
        for (int i = 0; i < m.length; i++) {
          if (n == 1 && counter == 0) {
            m[i] = modelOutput[i];
          } else if (n == 1 && counter == 1) {
            m[i] = (modelOutput[i] + ets.get(0)[i]) / 2;
          } else if (n == 2) {
            m[i] = (3 * ets.get(1)[i] - ets.get(0)[i]) / 2;
          } else if (n == 3) {
            m[i] = (23 * ets.get(2)[i] - 16 * ets.get(1)[i] + 5 * ets.get(0)[i]) / 12;
          } else {
            m[i] = (1f / 24) * (55 * ets.get(3)[i] - 59 * ets.get(2)[i] + 37 * ets.get(1)[i] - 9 * ets.get(0)[i]);
          }
        }
        if (n == 1 && counter == 0) {
          curSample = sample;
        } else if (n == 1 && counter == 1) {
          x = curSample;
          curSample = null;
        }
        counter++;
        return previousSample(x, t, prev, m);
      }
    };
  }

  private float[] previousSample(float[] sample, int t, int prev, float[] out) {
    float aT = alphasCumprod[t];
    float aPrev = prev >= 0 ? alphasCumprod[prev] : finalAlphaCumprod;
    float bT = 1 - aT;
    float bPrev = 1 - aPrev;
    float sqrtA = (float) Math.sqrt(aT);
    float sqrtB = (float) Math.sqrt(bT);
    float coeff = (float) Math.sqrt(aPrev / aT);
    float denom = (float) (aT * Math.sqrt(bPrev) + Math.sqrt(aT * bT * aPrev));
    float[] next = new float[sample.length];
    for (int i = 0; i < next.length; i++) {
      float m = prediction.equals("v_prediction") ? sqrtA * out[i] + sqrtB * sample[i] : out[i];
      next[i] = coeff * sample[i] - (aPrev - aT) * m / denom;
    }
    return next;
  }
}
