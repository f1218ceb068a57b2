package dev.kiln.render.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the shipped kiln-tiny model (64x64, a few milliseconds per UNet call), with few steps to
 * keep the suite fast. Assertions hold for any weights, trained or not.
 */
class DiffusionEngineTest {
  private static final String PROMPT = "a large red circle on a blue background";
  private static DiffusionEngine engine;

  @BeforeAll
  static void load() {
    engine = DiffusionEngine.load(ModelFixtures.kilnTiny());
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  private static GenerationRequest request(String prompt, float guidance, long seed) {
    return new GenerationRequest(prompt, "", 64, 64, 4, guidance, seed);
  }

  @Test
  void sameSeedAndParametersGiveIdenticalPngBytes() {
    GenerationRequest r = request(PROMPT, 3f, 7);
    byte[] first = engine.generate(List.of(r)).get(0).toPng();
    byte[] second = engine.generate(List.of(r)).get(0).toPng();
    assertThat(second).isEqualTo(first);
  }

  @Test
  void differentSeedsGiveDifferentImages() {
    GeneratedImage a = engine.generate(List.of(request(PROMPT, 3f, 1))).get(0);
    GeneratedImage b = engine.generate(List.of(request(PROMPT, 3f, 2))).get(0);
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void imagesHaveTheRequestedSize() {
    GeneratedImage image = engine.generate(List.of(new GenerationRequest(PROMPT, "", 32, 48, 2, 3f, 0))).get(0);
    assertThat(image.width()).isEqualTo(32);
    assertThat(image.height()).isEqualTo(48);
  }

  /**
   * An image must not depend on its batch: noise comes from its own seed, and every model runs
   * row by row. ONNX Runtime's CPU kernels give bit-identical rows for batch 1 and batch 4 here
   * (measured on this model; the per-row GEMMs, convolutions and norms do not change their
   * reduction order with the batch size), so the pixels must match exactly. Prompts, negative
   * prompts, guidance scales and seeds all differ within the batch.
   */
  @Test
  void batchOfFourGivesTheSameImagesAsFourSingleRuns() {
    List<GenerationRequest> batch = List.of(
        new GenerationRequest(PROMPT, "", 64, 64, 4, 3f, 11),
        new GenerationRequest("a small green square on a white background", "blurry", 64, 64, 4, 2f, 12),
        new GenerationRequest("a large yellow triangle on a purple background", "", 64, 64, 4, 5f, 13),
        new GenerationRequest("", "", 64, 64, 4, 3f, 14));
    List<GeneratedImage> together = engine.generate(batch);
    for (int i = 0; i < batch.size(); i++) {
      GeneratedImage alone = engine.generate(List.of(batch.get(i))).get(0);
      assertThat(together.get(i)).as("image %d", i).isEqualTo(alone);
    }
  }

  /**
   * Ancestral and consistency samplers add noise at each step; it comes from each image's own seed,
   * so an image still does not depend on its batch, and the sampler really is the stochastic one.
   */
  @Test
  void stochasticSchedulersDrawStepNoisePerImageSeed() {
    List<GenerationRequest> batch = List.of(request(PROMPT, 3f, 21),
        new GenerationRequest("a small green square on a white background", "", 64, 64, 4, 2f, 22));
    for (String scheduler : List.of("EulerAncestralDiscreteScheduler", "LCMScheduler")) {
      try (DiffusionEngine stochastic = DiffusionEngine.load(EngineOptions.builder()
          .setModelDir(ModelFixtures.kilnTiny()).optScheduler(scheduler).build())) {
        assertThat(stochastic.schedulerName()).isEqualTo(scheduler);
        List<GeneratedImage> together = stochastic.generate(batch);
        for (int i = 0; i < batch.size(); i++) {
          assertThat(together.get(i)).as("%s image %d", scheduler, i)
              .isEqualTo(stochastic.generate(List.of(batch.get(i))).get(0));
        }
        assertThat(together.get(0)).as(scheduler).isNotEqualTo(engine.generate(List.of(batch.get(0))).get(0));
      }
    }
  }

  @Test
  void guidanceOneMakesOneUnetCallPerStepOfBatchN() {
    EngineStats before = engine.stats();
    engine.generate(List.of(request(PROMPT, 1f, 1), request(PROMPT, 1f, 2), request(PROMPT, 1f, 3)));
    EngineStats run = engine.stats().minus(before);
    assertThat(run.unetCalls()).isEqualTo(4);
    assertThat(run.unetSamples()).isEqualTo(4 * 3);
    assertThat(run.textEncoderCalls()).isEqualTo(1);
    assertThat(run.vaeCalls()).isEqualTo(1);
    assertThat(run.images()).isEqualTo(3);
  }

  @Test
  void guidanceThreeMakesOneUnetCallPerStepOfBatchTwoN() {
    EngineStats before = engine.stats();
    engine.generate(List.of(request(PROMPT, 3f, 1), request(PROMPT, 3f, 2), request(PROMPT, 3f, 3)));
    EngineStats run = engine.stats().minus(before);
    assertThat(run.unetCalls()).isEqualTo(4);
    assertThat(run.unetSamples()).isEqualTo(4 * 2 * 3);
  }

  @Test
  void negativePromptReplacesTheUnconditionalPrompt() {
    GeneratedImage plain = engine.generate(List.of(request(PROMPT, 3f, 5))).get(0);
    GeneratedImage negative = engine.generate(List.of(
        new GenerationRequest(PROMPT, "a small green square", 64, 64, 4, 3f, 5))).get(0);
    assertThat(negative).isNotEqualTo(plain);
  }

  @Test
  void rejectsMixedBatchNamingBothKeys() {
    List<GenerationRequest> mixed = List.of(request(PROMPT, 3f, 1), request(PROMPT, 1f, 2));
    assertThatThrownBy(() -> engine.generate(mixed))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("item 1")
        .hasMessageContaining("guided=true")
        .hasMessageContaining("guided=false")
        .hasMessageContaining("batchKey");
  }

  @Test
  void batchKeyGroupsBySizeStepsAndWhetherGuidanceRuns() {
    assertThat(DiffusionEngine.batchKey(request("a", 3f, 1))).isEqualTo(DiffusionEngine.batchKey(request("b", 7f, 2)));
    assertThat(DiffusionEngine.batchKey(request("a", 1f, 1))).isNotEqualTo(DiffusionEngine.batchKey(request("a", 3f, 1)));
    assertThat(DiffusionEngine.batchKey(new GenerationRequest("a", "", 64, 64, 5, 3f, 1)))
        .isNotEqualTo(DiffusionEngine.batchKey(request("a", 3f, 1)));
  }

  @Test
  void rejectsEmptyBatch() {
    assertThatThrownBy(() -> engine.generate(List.of())).hasMessageContaining("batch is empty");
  }

  @Test
  void rejectsWidthTheUnetCannotDownsampleNamingWidth() {
    // kiln-tiny's UNet halves the 1/8-size latents once, so sides must be multiples of 16.
    assertThat(engine.imageSizeMultiple()).isEqualTo(16);
    assertThatThrownBy(() -> engine.generate(List.of(new GenerationRequest(PROMPT, "", 72, 64, 2, 3f, 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("width must be a multiple of 16");
  }

  @Test
  void rejectsMoreStepsThanTheSchedulerHasTimesteps() {
    assertThatThrownBy(() -> engine.generate(List.of(new GenerationRequest(PROMPT, "", 64, 64, 1001, 3f, 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("steps must be at most 1000");
  }

  @Test
  void concurrentCallsGiveTheSameImagesAsSequentialOnes() throws InterruptedException, ExecutionException {
    List<GenerationRequest> requests = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      requests.add(request(PROMPT, 3f, 100 + i));
    }
    List<GeneratedImage> sequential = new ArrayList<>();
    for (GenerationRequest r : requests) {
      sequential.add(engine.generate(List.of(r)).get(0));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<GeneratedImage>> futures = new ArrayList<>();
      for (GenerationRequest r : requests) {
        futures.add(pool.submit(() -> engine.generate(List.of(r)).get(0)));
      }
      for (int i = 0; i < requests.size(); i++) {
        assertThat(futures.get(i).get()).as("image %d", i).isEqualTo(sequential.get(i));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void reportsDigestAndSchedulerName() {
    assertThat(engine.modelDigest()).matches("[0-9a-f]{64}");
    assertThat(engine.schedulerName()).isEqualTo("DDIMScheduler");
  }

  @Test
  void generateAfterCloseFails() {
    DiffusionEngine other = DiffusionEngine.load(ModelFixtures.kilnTiny());
    other.close();
    other.close(); // idempotent
    assertThatThrownBy(() -> other.generate(List.of(request(PROMPT, 3f, 1))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
