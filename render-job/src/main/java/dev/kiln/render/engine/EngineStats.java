package dev.kiln.render.engine;

/**
 * Cumulative counters of one {@link DiffusionEngine} since it was loaded. Times are wall-clock
 * nanoseconds spent in each model's predictor, pre- and post-processing included. Take two
 * snapshots and {@link #minus} them to measure a stretch of work.
 *
 * @param batches calls of {@code generate}
 * @param images images returned
 * @param textEncoderCalls text encoder runs (one per batch)
 * @param textEncoderNanos time in the text encoder
 * @param unetCalls UNet runs; one per denoising step for DDIM and Euler, whatever the batch size
 * @param unetSamples sum of UNet batch sizes: {@code 2N} per call with guidance, {@code N} without
 * @param unetNanos time in the UNet
 * @param vaeCalls VAE decoder runs (one per batch)
 * @param vaeNanos time in the VAE decoder
 */
public record EngineStats(long batches, long images, long textEncoderCalls, long textEncoderNanos, long unetCalls,
    long unetSamples, long unetNanos, long vaeCalls, long vaeNanos) {

  /** The counts accumulated between {@code earlier} and this snapshot. */
  public EngineStats minus(EngineStats earlier) {
    return new EngineStats(batches - earlier.batches, images - earlier.images,
        textEncoderCalls - earlier.textEncoderCalls, textEncoderNanos - earlier.textEncoderNanos,
        unetCalls - earlier.unetCalls, unetSamples - earlier.unetSamples, unetNanos - earlier.unetNanos,
        vaeCalls - earlier.vaeCalls, vaeNanos - earlier.vaeNanos);
  }

  /** Mean milliseconds per text encoder run, or NaN without runs. */
  public double textEncoderMillisPerCall() {
    return millisPer(textEncoderNanos, textEncoderCalls);
  }

  /** Mean milliseconds per UNet run (one denoising step of a whole batch), or NaN without runs. */
  public double unetMillisPerCall() {
    return millisPer(unetNanos, unetCalls);
  }

  /** Mean milliseconds per VAE decoder run, or NaN without runs. */
  public double vaeMillisPerCall() {
    return millisPer(vaeNanos, vaeCalls);
  }

  private static double millisPer(long nanos, long calls) {
    return calls == 0 ? Double.NaN : nanos / 1e6 / calls;
  }
}
