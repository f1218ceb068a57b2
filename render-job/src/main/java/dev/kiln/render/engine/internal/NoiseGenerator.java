package dev.kiln.render.engine.internal;

import java.util.SplittableRandom;

/**
 * Initial latent noise that depends on the seed alone, so an image comes out the same whichever
 * batch it runs in and on whichever JVM: {@link SplittableRandom} (specified bit for bit) seeded
 * with the image's seed, turned into standard normals by Box–Muller with {@link StrictMath}
 * (platform-independent, unlike {@link Math}'s intrinsics).
 *
 * <p>Value {@code 2k} is {@code r cos(2 pi u2)} and {@code 2k+1} is {@code r sin(2 pi u2)}, with
 * {@code r = sqrt(-2 ln(1 - u1))} and {@code u1, u2} the next two {@code nextDouble()} values.
 *
 * <p>A {@link Stream} continues where the last draw ended: a loop's initial latents are an image's
 * first values, and the noise a stochastic scheduler adds at each step its next ones, so step noise
 * too depends on the seed alone.
 */
public final class NoiseGenerator {
  private NoiseGenerator() {}

  /** {@code count} standard normal floats for {@code seed}: the first draw of {@code new Stream(seed)}. */
  public static float[] standardNormal(long seed, int count) {
    return new Stream(seed).next(count);
  }

  /** Successive draws from one seed. Not thread-safe. */
  public static final class Stream {
    private final SplittableRandom random;

    public Stream(long seed) {
      random = new SplittableRandom(seed);
    }

    /** The next {@code count} values; an odd count discards the last pair's sine value. */
    public float[] next(int count) {
      float[] out = new float[count];
      for (int i = 0; i < count; i += 2) {
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        double r = StrictMath.sqrt(-2.0 * StrictMath.log(1.0 - u1));
        double theta = 2.0 * StrictMath.PI * u2;
        out[i] = (float) (r * StrictMath.cos(theta));
        if (i + 1 < count) {
          out[i + 1] = (float) (r * StrictMath.sin(theta));
        }
      }
      return out;
    }
  }
}
