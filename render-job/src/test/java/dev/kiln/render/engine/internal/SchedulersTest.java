package dev.kiln.render.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Schedulers against diffusers' formulas. Expected values were printed by
 * {@code OPENBLAS_NUM_THREADS=1 /usr/bin/python3 render-job/src/test/resources/reference/scheduler_reference.py},
 * which restates diffusers' DDIMScheduler, EulerDiscreteScheduler and PNDMScheduler (v0.30) in
 * torch float32. Java computes coefficients in double and rounds, so values agree to float
 * precision rather than bit for bit.
 */
class SchedulersTest {
  private static final String SD = "\"num_train_timesteps\": 1000, \"beta_start\": 0.00085, \"beta_end\": 0.012, "
      + "\"beta_schedule\": \"scaled_linear\", \"set_alpha_to_one\": false, \"steps_offset\": 1, \"clip_sample\": false";
  private static final float[] SAMPLE = {0.5f, -1.0f, 2.0f};
  private static final float[] OUT = {0.1f, 0.2f, -0.3f};
  private static final Offset<Float> TOL = within(2e-5f);

  private static NoiseScheduler scheduler(String cls, String extra) {
    return Schedulers.create(SchedulerConfig.parse("{\"_class_name\": \"" + cls + "\", " + SD + extra + "}"), null);
  }

  private static void assertClose(float[] actual, double... expected) {
    assertThat(actual).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("element %d", i).isCloseTo((float) expected[i], TOL);
    }
  }

  @Test
  void alphasCumprodMatchesDiffusersForBothLinearSchedules() {
    SchedulerConfig c = SchedulerConfig.parse("{}");
    float[] scaled = c.alphasCumprod(1000, 0.00085, 0.012, "scaled_linear");
    assertThat(new float[] {scaled[0], scaled[1], scaled[500], scaled[999]})
        .containsExactly(new float[] {0.99914998f, 0.99829602f, 0.27633250f, 0.0046600960f}, within(1e-6f));
    float[] linear = c.alphasCumprod(1000, 0.0001, 0.02, "linear");
    assertThat(new float[] {linear[0], linear[1], linear[500], linear[999]})
        .containsExactly(new float[] {0.99989998f, 0.99978006f, 0.077796660f, 4.0358307e-05f}, within(1e-6f));
  }

  @Test
  void ddimLeadingSpacingWithOffsetGivesKilnTinysTimesteps() {
    DdimScheduler ddim = (DdimScheduler) scheduler("DDIMScheduler", ", \"timestep_spacing\": \"leading\"");
    assertThat(ddim.timesteps(20)).containsExactly(951, 901, 851, 801, 751, 701, 651, 601, 551, 501, 451, 401, 351,
        301, 251, 201, 151, 101, 51, 1);
  }

  @Test
  void ddimTrailingAndLinspaceSpacingRoundLikeNumpy() {
    DdimScheduler trailing = (DdimScheduler) scheduler("DDIMScheduler", ", \"timestep_spacing\": \"trailing\"");
    assertThat(trailing.timesteps(3)).containsExactly(999, 666, 332);
    assertThat(trailing.timesteps(7)).containsExactly(999, 856, 713, 570, 428, 285, 142);
    // 832.5 -> 832 and 499.5 -> 500: half to even
    DdimScheduler linspace = (DdimScheduler) scheduler("DDIMScheduler", ", \"timestep_spacing\": \"linspace\"");
    assertThat(linspace.timesteps(7)).containsExactly(999, 832, 666, 500, 333, 166, 0);
  }

  @Test
  void ddimEpsilonStepMatchesDiffusersAtFirstAndLastStep() {
    NoiseScheduler.Sampling s = scheduler("DDIMScheduler", ", \"timestep_spacing\": \"leading\"").start(20);
    assertThat(s.modelCalls()).isEqualTo(20);
    assertThat(s.initNoiseSigma()).isEqualTo(1f);
    assertThat(s.scaleModelInput(SAMPLE, 0)).isSameAs(SAMPLE);
    assertClose(s.step(OUT, 0, SAMPLE), 0.6240216493606567, -1.372901439666748, 2.7145884037017822);
    assertClose(s.step(OUT, 19, SAMPLE), 0.49899962544441223, -1.002855896949768, 2.004497528076172);
  }

  @Test
  void ddimVPredictionWithLinearBetasAndAlphaOneMatchesDiffusers() {
    NoiseScheduler.Sampling s = Schedulers.create(SchedulerConfig.parse("{\"_class_name\": \"DDIMScheduler\", "
        + "\"beta_schedule\": \"linear\", \"beta_start\": 0.0001, \"beta_end\": 0.02, \"set_alpha_to_one\": true, "
        + "\"clip_sample\": false, \"timestep_spacing\": \"trailing\", \"prediction_type\": \"v_prediction\"}"), null)
        .start(7);
    assertClose(s.step(OUT, 0, SAMPLE), 0.4981478750705719, -1.003389596939087, 2.0050060749053955);
    assertClose(s.step(OUT, 6, SAMPLE), 0.4075830280780792, -0.9881471395492554, 1.9330490827560425);
  }

  @Test
  void ddimSamplePredictionMatchesDiffusers() {
    NoiseScheduler.Sampling s = scheduler("DDIMScheduler",
        ", \"timestep_spacing\": \"linspace\", \"prediction_type\": \"sample\"").start(7);
    assertClose(s.step(OUT, 0, SAMPLE), 0.5036719441413879, -0.975380539894104, 1.958751916885376);
    assertClose(s.step(OUT, 6, SAMPLE), 0.5, -0.9999999403953552, 1.9999998807907104);
  }

  @Test
  void ddimClipSampleClampsThePredictedOriginal() {
    NoiseScheduler.Sampling clipped = Schedulers.create(SchedulerConfig.parse("{\"_class_name\": \"DDIMScheduler\", "
        + SD.replace("\"clip_sample\": false", "\"clip_sample\": true") + "}"), null).start(20);
    NoiseScheduler.Sampling free = scheduler("DDIMScheduler", "").start(20);
    float[] big = {30f, -30f, 0f};
    assertThat(clipped.step(OUT, 0, big)[0]).isLessThan(free.step(OUT, 0, big)[0]);
  }

  @Test
  void eulerLeadingMatchesDiffusersSigmasInitNoiseAndStep() {
    EulerDiscreteScheduler euler = (EulerDiscreteScheduler) scheduler("EulerDiscreteScheduler",
        ", \"timestep_spacing\": \"leading\"");
    assertThat(euler.timesteps(20)).containsExactly(951f, 901f, 851f, 801f, 751f, 701f, 651f, 601f, 551f, 501f, 451f,
        401f, 351f, 301f, 251f, 201f, 151f, 101f, 51f, 1f);
    float[] sigmas = euler.sigmas(20);
    assertThat(sigmas[0]).isCloseTo(11.028334617614746f, within(1e-4f));
    assertThat(sigmas[10]).isCloseTo(1.3761794567108154f, within(1e-5f));
    assertThat(sigmas[19]).isCloseTo(0.04131447896361351f, within(1e-6f));
    assertThat(sigmas[20]).isZero();
    NoiseScheduler.Sampling s = euler.start(20);
    assertThat(s.initNoiseSigma()).isCloseTo(11.073579788208008f, within(1e-4f));
    assertClose(s.scaleModelInput(SAMPLE, 0), 0.045152515172958374, -0.09030503034591675, 0.1806100606918335);
    assertClose(s.step(OUT, 0, SAMPLE), 0.23623523116111755, -1.5275294780731201, 2.7912940979003906);
    assertClose(s.scaleModelInput(SAMPLE, 19), 0.49957382678985596, -0.9991476535797119, 1.9982953071594238);
    assertClose(s.step(OUT, 19, SAMPLE), 0.4958685636520386, -1.0082628726959229, 2.012394428253174);
  }

  @Test
  void eulerTrailingVPredictionLikeSdTurboMatchesDiffusers() {
    EulerDiscreteScheduler euler = (EulerDiscreteScheduler) scheduler("EulerDiscreteScheduler",
        ", \"timestep_spacing\": \"trailing\", \"prediction_type\": \"v_prediction\"");
    assertThat(euler.timesteps(4)).containsExactly(999f, 749f, 499f, 249f);
    NoiseScheduler.Sampling s = euler.start(4);
    assertThat(s.initNoiseSigma()).isCloseTo(14.614645004272461f, within(1e-4f));
    assertClose(s.step(OUT, 0, SAMPLE), 0.06942170858383179, -0.42645466327667236, 0.7810065746307373);
    assertClose(s.step(OUT, 3, SAMPLE), 0.28074517846107483, -0.7893738150596619, 1.521776795387268);
  }

  @Test
  void eulerLinspaceInterpolatesSigmasAtFractionalTimesteps() {
    EulerDiscreteScheduler euler = (EulerDiscreteScheduler) scheduler("EulerDiscreteScheduler",
        ", \"timestep_spacing\": \"linspace\"");
    assertThat(euler.timesteps(7)).containsExactly(999f, 832.5f, 666f, 499.5f, 333f, 166.5f, 0f);
    float[] sigmas = euler.sigmas(7);
    assertThat(sigmas[1]).isCloseTo(5.948917865753174f, within(1e-4f));
    assertThat(sigmas[3]).isCloseTo(1.6155833005905151f, within(1e-5f));
    assertThat(sigmas[5]).isCloseTo(0.4935535192489624f, within(1e-5f));
    NoiseScheduler.Sampling s = euler.start(7);
    assertThat(s.initNoiseSigma()).isCloseTo(14.614645004272461f, within(1e-4f));
    assertClose(s.step(OUT, 0, SAMPLE), -0.3665727972984314, -2.7331457138061523, 4.59971809387207);
  }

  @Test
  void pndmPlmsRepeatsTheSecondTimestepAndMatchesDiffusersOverAWholeLoop() {
    PndmScheduler pndm = (PndmScheduler) scheduler("PNDMScheduler", ", \"skip_prk_steps\": true");
    assertThat(pndm.timesteps(5)).containsExactly(801, 601, 601, 401, 201, 1);
    NoiseScheduler.Sampling s = pndm.start(5);
    float[][] outs = {OUT, {-0.2f, 0.05f, 0.4f}, {0.3f, -0.1f, 0.0f}};
    double[][] expected = {
        {0.931983232498169, -2.3183579444885254, 4.523118019104004},
        {1.1023800373077393, -2.2331595420837402, 4.12552547454834},
        {1.5006673336029053, -3.449770927429199, 6.601154804229736},
        {2.0872437953948975, -4.909955978393555, 9.16431999206543},
        {2.5532493591308594, -5.333923816680908, 9.617587089538574},
        {2.539517879486084, -5.3361287117004395, 9.639254570007324}};
    float[] x = SAMPLE;
    for (int call = 0; call < s.modelCalls(); call++) {
      x = s.step(outs[call % 3], call, x);
      assertClose(x, expected[call]);
    }
  }

  @Test
  void unknownSchedulerClassNamesTheSupportedOnes() {
    assertThatThrownBy(() -> scheduler("LMSDiscreteScheduler", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("scheduler class 'LMSDiscreteScheduler' is not supported; expected one of DDIMScheduler, "
            + "EulerAncestralDiscreteScheduler, EulerDiscreteScheduler, LCMScheduler, PNDMScheduler");
  }

  @Test
  void unsupportedSettingsAreNamed() {
    assertThatThrownBy(() -> scheduler("DDIMScheduler", ", \"prediction_type\": \"flow\""))
        .hasMessage("prediction_type 'flow' is not supported; expected one of epsilon, v_prediction, sample");
    assertThatThrownBy(() -> scheduler("EulerDiscreteScheduler", ", \"use_karras_sigmas\": true"))
        .hasMessageStartingWith("use_karras_sigmas = true is not supported");
    assertThatThrownBy(() -> scheduler("DDIMScheduler", ", \"timestep_spacing\": \"karras\""))
        .hasMessageContaining("expected one of leading, trailing, linspace");
  }

  @Test
  void rejectsMoreStepsThanTrainingTimesteps() {
    assertThatThrownBy(() -> scheduler("DDIMScheduler", "").start(1001))
        .hasMessage("steps must be between 1 and the scheduler's num_train_timesteps (1000), got 1001");
  }

  @Test
  void overrideKeepsTheBetaSettings() {
    NoiseScheduler s = Schedulers.create(SchedulerConfig.parse("{\"_class_name\": \"DDIMScheduler\", " + SD
        + ", \"timestep_spacing\": \"leading\"}"), "EulerDiscreteScheduler");
    assertThat(s.name()).isEqualTo("EulerDiscreteScheduler");
    assertThat(s.start(20).initNoiseSigma()).isCloseTo(11.073579788208008f, within(1e-4f));
  }
}
