package dev.kiln.render.engine;

/**
 * One image to generate.
 *
 * @param prompt what to draw; may be empty (an unconditional sample)
 * @param negativePrompt what to steer away from; replaces the empty unconditional prompt of
 *     classifier-free guidance. {@code null} means none and is stored as {@code ""}
 * @param width image width in pixels: a multiple of 8 from 8 to {@value #MAX_SIDE}
 * @param height image height in pixels: a multiple of 8 from 8 to {@value #MAX_SIDE}
 * @param steps denoising steps, at least 1 (and at most the scheduler's training timesteps)
 * @param guidanceScale classifier-free guidance scale, finite and at least 0; at or below 1 the
 *     unconditional pass is skipped
 * @param seed fixes the initial noise of this image alone
 * @throws IllegalArgumentException naming the field when a value is out of range
 */
public record GenerationRequest(String prompt, String negativePrompt, int width, int height, int steps,
    float guidanceScale, long seed) {
  /** Largest accepted width or height. */
  public static final int MAX_SIDE = 4096;

  public GenerationRequest {
    if (prompt == null) {
      throw new IllegalArgumentException("prompt must not be null (use \"\" for an unconditional image)");
    }
    negativePrompt = negativePrompt == null ? "" : negativePrompt;
    checkSide("width", width);
    checkSide("height", height);
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be at least 1, got " + steps);
    }
    if (!Float.isFinite(guidanceScale) || guidanceScale < 0) {
      throw new IllegalArgumentException("guidanceScale must be a finite number >= 0, got " + guidanceScale);
    }
  }

  private static void checkSide(String field, int value) {
    if (value < 8 || value > MAX_SIDE || value % 8 != 0) {
      throw new IllegalArgumentException(field + " must be a multiple of 8 from 8 to " + MAX_SIDE + ", got " + value);
    }
  }

  /** Whether this request runs the unconditional pass of classifier-free guidance (scale above 1). */
  public boolean usesGuidance() {
    return guidanceScale > 1.0f;
  }

  /** This request with another seed. */
  public GenerationRequest withSeed(long newSeed) {
    return new GenerationRequest(prompt, negativePrompt, width, height, steps, guidanceScale, newSeed);
  }
}
