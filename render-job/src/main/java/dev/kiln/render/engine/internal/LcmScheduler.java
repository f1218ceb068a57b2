package dev.kiln.render.engine.internal;

import java.util.List;

/**
 * diffusers' {@code LCMScheduler} (v0.30), the multistep consistency sampler of LCM and LCM-LoRA
 * models: each step predicts the clean latents with the consistency boundary condition
 * ({@code c_skip = 0.25 / (s^2 + 0.25)}, {@code c_out = s / sqrt(s^2 + 0.25)},
 * {@code s = t * timestep_scaling}) and, except at the last step, noises them again to the next
 * timestep with fresh noise. Timesteps: the {@code original_inference_steps} grid
 * {@code k * [1..N] - 1} (k = T / N), reversed, sampled at {@code floor(linspace(0, N, steps,
 * endpoint=False))}. Honours num_train_timesteps, beta_start, beta_end, beta_schedule,
 * trained_betas, set_alpha_to_one, original_inference_steps, timestep_scaling, prediction_type
 * (epsilon, v_prediction, sample), clip_sample and clip_sample_range; thresholding and
 * zero-terminal-SNR rescaling are refused. Like diffusers, it ignores timestep_spacing and
 * steps_offset.
 */
public final class LcmScheduler implements NoiseScheduler {
  public static final String NAME = "LCMScheduler";

  private final int trainSteps;
  private final float[] alphasCumprod;
  private final float finalAlphaCumprod;
  private final int originalSteps;
  private final double timestepScaling;
  private final String prediction;
  private final boolean clipSample;
  private final float clipRange;

  public LcmScheduler(SchedulerConfig c) {
    trainSteps = c.integer("num_train_timesteps", 1000);
    alphasCumprod = c.alphasCumprod(trainSteps, c.number("beta_start", 0.00085), c.number("beta_end", 0.012),
        c.text("beta_schedule", "scaled_linear"));
    finalAlphaCumprod = c.flag("set_alpha_to_one", true) ? 1.0f : alphasCumprod[0];
    originalSteps = c.integer("original_inference_steps", 50);
    timestepScaling = c.number("timestep_scaling", 10.0);
    prediction = c.choice("prediction_type", "epsilon", List.of("epsilon", "v_prediction", "sample"));
    clipSample = c.flag("clip_sample", false);
    clipRange = (float) c.number("clip_sample_range", 1.0);
    c.requireUnset("thresholding", false, "dynamic thresholding is for pixel-space models");
    c.requireUnset("rescale_betas_zero_snr", false, "zero terminal SNR rescaling is not implemented");
    if (originalSteps < 1 || originalSteps > trainSteps) {
      throw new IllegalArgumentException("original_inference_steps must be between 1 and num_train_timesteps ("
          + trainSteps + "), got " + originalSteps);
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  /** At most {@code original_inference_steps}, as diffusers requires. */
  @Override
  public int maxSteps() {
    return originalSteps;
  }

  /** diffusers' timesteps for {@code steps}, largest first. */
  public int[] timesteps(int steps) {
    if (steps < 1 || steps > originalSteps) {
      throw new IllegalArgumentException("steps must be between 1 and " + originalSteps
          + " (original_inference_steps) for " + NAME + ", got " + steps);
    }
    int k = trainSteps / originalSteps;
    int[] origin = new int[originalSteps];
    for (int i = 0; i < originalSteps; i++) {
      origin[originalSteps - 1 - i] = (i + 1) * k - 1; // reversed: largest first
    }
    double stride = (double) originalSteps / steps;
    int[] t = new int[steps];
    for (int i = 0; i < steps; i++) {
      t[i] = origin[(int) Math.floor(i * stride)];
    }
    return t;
  }

  @Override
  public Sampling start(int steps) {
    int[] timesteps = timesteps(steps);
    return new UnscaledSampling(timesteps) {
      @Override
      public boolean usesNoise(int call) {
        return call != timesteps.length - 1;
      }

      @Override
      public float[] step(float[] modelOutput, int call, float[] sample) {
        if (usesNoise(call)) {
          throw new IllegalStateException(NAME + " adds noise before the last step: call step(out, call, sample, "
              + "noise)");
        }
        return step(modelOutput, call, sample, null);
      }

      @Override
      public float[] step(float[] modelOutput, int call, float[] sample, float[] noise) {
        int t = timesteps[call];
        int prev = call + 1 < timesteps.length ? timesteps[call + 1] : t;
        float aT = alphasCumprod[t];
        float aPrev = prev >= 0 ? alphasCumprod[prev] : finalAlphaCumprod;
        float sqrtA = (float) Math.sqrt(aT);
        float sqrtB = (float) Math.sqrt(1.0f - aT);
        float sqrtAPrev = (float) Math.sqrt(aPrev);
        float sqrtBPrev = (float) Math.sqrt(1.0f - aPrev);
        double scaled = t * timestepScaling;
        float cSkip = (float) (0.25 / (scaled * scaled + 0.25));
        float cOut = (float) (scaled / Math.sqrt(scaled * scaled + 0.25));
        boolean last = !usesNoise(call);
        float[] next = new float[sample.length];
        for (int i = 0; i < next.length; i++) {
          float s = sample[i];
          float m = modelOutput[i];
          float x0 = switch (prediction) {
            case "epsilon" -> (s - sqrtB * m) / sqrtA;
            case "v_prediction" -> sqrtA * s - sqrtB * m;
            default -> m;
          };
          if (clipSample) {
            x0 = Math.max(-clipRange, Math.min(clipRange, x0));
          }
          float denoised = cOut * x0 + cSkip * s;
          next[i] = last ? denoised : sqrtAPrev * denoised + sqrtBPrev * noise[i];
        }
        return next;
      }
    };
  }
}
