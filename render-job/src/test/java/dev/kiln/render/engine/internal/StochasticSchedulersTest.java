package dev.kiln.render.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Euler ancestral and LCM, the few-step schedulers that add noise between steps, chained over whole
 * loops against diffusers' formulas (v0.30). Expected values were printed by
 * {@code OPENBLAS_NUM_THREADS=1 /usr/bin/python3 render-job/src/test/resources/reference/scheduler_reference.py}
 * (functions {@code euler_ancestral} and {@code lcm}), fed the same model outputs and noise.
 */
class StochasticSchedulersTest {
  private static final String SD = "\"num_train_timesteps\": 1000, \"beta_start\": 0.00085, \"beta_end\": 0.012, "
      + "\"beta_schedule\": \"scaled_linear\", \"steps_offset\": 1";
  private static final float[] SAMPLE = {0.5f, -1.0f, 2.0f};
  private static final float[][] OUTS = {{0.1f, 0.2f, -0.3f}, {-0.2f, 0.05f, 0.4f}, {0.3f, -0.1f, 0.0f},
      {0.05f, 0.15f, -0.25f}};
  private static final float[][] NOISES = {{1.0f, -0.5f, 0.25f}, {-1.5f, 0.75f, 0.1f}, {0.2f, 0.3f, -0.4f},
      {0.9f, -0.8f, 0.7f}};

  private static NoiseScheduler scheduler(String json) {
    return Schedulers.create(SchedulerConfig.parse(json), null);
  }

  /** Float32 agreement: 2e-5 absolute or 2e-6 relative, whichever is larger. */
  private static void assertClose(String what, float[] actual, double... expected) {
    assertThat(actual).as(what).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      float tol = (float) Math.max(2e-5, 2e-6 * Math.abs(expected[i]));
      assertThat(actual[i]).as("%s element %d", what, i).isCloseTo((float) expected[i], within(tol));
    }
  }

  /** Runs every step, feeding OUTS[k] and NOISES[k] (when the step uses noise); returns the samples. */
  private static float[][] loop(NoiseScheduler.Sampling s) {
    float[] x = SAMPLE;
    float[][] trace = new float[s.modelCalls()][];
    for (int k = 0; k < s.modelCalls(); k++) {
      x = s.usesNoise(k) ? s.step(OUTS[k], k, x, NOISES[k]) : s.step(OUTS[k], k, x);
      trace[k] = x;
    }
    return trace;
  }

  @Test
  void eulerAncestralTrailingEpsilonMatchesDiffusersOverFourSteps() {
    NoiseScheduler.Sampling s = scheduler("{\"_class_name\": \"EulerAncestralDiscreteScheduler\", " + SD
        + ", \"timestep_spacing\": \"trailing\"}").start(4);
    assertThat(new float[] {s.timestep(0), s.timestep(1), s.timestep(2), s.timestep(3)})
        .containsExactly(999f, 749f, 499f, 249f);
    assertThat(s.initNoiseSigma()).isCloseTo(14.614645f, within(2e-5f));
    assertClose("scaled input 0", s.scaleModelInput(SAMPLE, 0), 0.034132447, -0.068264894, 0.13652979);
    float[][] trace = loop(s);
    assertClose("step 0", trace[0], 3.0718396, -5.6545839, 7.0222239);
    assertClose("step 1", trace[1], 1.5382805, -4.7155838, 5.7926259);
    assertClose("step 2", trace[2], 1.2689774, -4.3963141, 5.5422602);
    assertClose("step 3", trace[3], 1.2343172, -4.5002952, 5.7155614);
  }

  @Test
  void eulerAncestralLeadingVPredictionMatchesDiffusers() {
    NoiseScheduler.Sampling s = scheduler("{\"_class_name\": \"EulerAncestralDiscreteScheduler\", " + SD
        + ", \"timestep_spacing\": \"leading\", \"prediction_type\": \"v_prediction\"}").start(3);
    assertThat(s.initNoiseSigma()).isCloseTo(3.0955226f, within(2e-5f));
    float[][] trace = loop(s);
    assertClose("step 0", trace[0], 0.89938724, -0.80893195, 0.86798012);
    assertClose("step 2", trace[2], 0.54157257, -0.43039203, 0.19472964);
  }

  @Test
  void lcmMatchesDiffusersOverFourStepsAndAddsNoNoiseAtTheLastStep() {
    NoiseScheduler.Sampling s = scheduler("{\"_class_name\": \"LCMScheduler\", " + SD
        + ", \"set_alpha_to_one\": true, \"original_inference_steps\": 50, \"timestep_scaling\": 10.0}").start(4);
    assertThat(new float[] {s.timestep(0), s.timestep(1), s.timestep(2), s.timestep(3)})
        .containsExactly(999f, 759f, 499f, 259f);
    assertThat(s.initNoiseSigma()).isEqualTo(1f);
    assertThat(s.usesNoise(2)).isTrue();
    assertThat(s.usesNoise(3)).isFalse();
    float[][] trace = loop(s);
    assertClose("step 0", trace[0], 2.3132346, -4.5019407, 7.9397769);
    assertClose("step 1", trace[1], 4.5086784, -9.8566818, 17.496754);
    assertClose("step 2", trace[2], 6.669765, -14.878403, 26.720705);
    assertClose("step 3", trace[3], 8.1803255, -18.43619, 33.096325);
  }

  @Test
  void lcmSingleStepAndTimestepGridMatchDiffusers() {
    LcmScheduler lcm = (LcmScheduler) scheduler("{\"_class_name\": \"LCMScheduler\", " + SD + "}");
    assertThat(lcm.timesteps(3)).containsExactly(999, 679, 339);
    assertThat(lcm.timesteps(8)).containsExactly(999, 879, 759, 639, 499, 379, 259, 139);
    NoiseScheduler.Sampling one = lcm.start(1);
    assertThat(one.usesNoise(0)).isFalse();
    assertClose("1 step", one.step(OUTS[0], 0, SAMPLE), 5.8629441, -17.571747, 33.682030);
    assertThatThrownBy(() -> lcm.start(51))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("steps must be between 1 and 50 (original_inference_steps) for LCMScheduler, got 51");
  }

  @Test
  void noiseStreamContinuesTheInitialDraw() {
    float[] both = NoiseGenerator.standardNormal(42L, 10);
    NoiseGenerator.Stream stream = new NoiseGenerator.Stream(42L);
    float[] first = stream.next(4);
    float[] next = stream.next(6);
    assertThat(first).containsExactly(java.util.Arrays.copyOfRange(both, 0, 4));
    assertThat(next).containsExactly(java.util.Arrays.copyOfRange(both, 4, 10));
  }
}
