package dev.kiln.policy;

import java.util.List;

/**
 * A rough cost probe, not a benchmark and not a test: prints ns per prompt of
 * {@link PromptPolicy#check} on the shipped policy for a few typical prompts. Run with
 * {@code java -cp <test classpath> dev.kiln.policy.PromptPolicyCost}.
 */
public final class PromptPolicyCost {
  private PromptPolicyCost() {}

  public static void main(String[] args) {
    PromptPolicy policy = PromptPolicy.loadDefault();
    List<String> prompts = List.of(
        "a watercolour painting of a lighthouse on a rocky coast at dawn, soft light, 4k, highly detailed",
        "product photo of a red leather handbag on a white background, studio lighting, 1024 x 1024",
        "Шкатулка на столе, натюрморт, масло",
        "公园里的狗，水彩画",
        "blurry, low quality, watermark, extra fingers, bad anatomy");
    long sink = 0;
    for (int i = 0; i < 200_000; i++) {
      sink += policy.check(prompts.get(i % prompts.size())).isPresent() ? 1 : 0;
    }
    int rounds = 500_000;
    long start = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      sink += policy.check(prompts.get(i % prompts.size())).isPresent() ? 1 : 0;
    }
    long elapsed = System.nanoTime() - start;
    System.out.printf("%d ns/prompt over %d prompts (%d matched)%n", elapsed / rounds, rounds, sink);
  }
}
