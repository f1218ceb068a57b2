package dev.kiln.schemas;

/**
 * The records on kiln.rerenders: the safety job asks the render job to render a near-duplicate
 * again (see {@link RenderRequest#getRerenderNearDuplicates()}). A re-render record is a
 * {@link RenderedImage} with the image's identity, labels and {@code submittedAt}, the
 * {@code attempt} to render next and that attempt's seed in {@code params.seed}.
 *
 * <p>Both jobs use this class, so the seed of an attempt and the request the render job rebuilds
 * are defined once. Seeds are deterministic (DESIGN.md decision 2): a replay asks for the same
 * attempt with the same seed and gets the same bytes under the same staging key.
 */
public final class Rerenders {
  private Rerenders() {}

  /**
   * The seed of attempt {@code attempt} (1 or more) of an image: the first 8 bytes of
   * sha256(imageId + "#" + attempt), never negative.
   *
   * @throws IllegalArgumentException if {@code attempt} is less than 1 (attempt 0 keeps the
   *     request's own seed, or the one derived from the image id)
   */
  public static long seed(String imageId, int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt is " + attempt + ": re-render attempts start at 1;"
          + " attempt 0 uses the request's seed");
    }
    return Seeds.derived(imageId + "#" + attempt);
  }

  /**
   * The re-render record for the attempt after {@code previous}: the same image id, request,
   * tenant, batch, index, count, labels and {@code submittedAt}; {@code attempt + 1}; the new seed;
   * {@code rerenderNearDuplicates} true. The render job reads only those fields and the other
   * generation parameters. {@code bucket}, {@code stagingKey}, {@code sha256}, {@code byteSize} and
   * the timings mean nothing to it: they keep the previous attempt's values, which name the object
   * that was judged a near-duplicate (useful when reading the topic by hand).
   */
  public static RenderedImage next(RenderedImage previous) {
    int attempt = previous.getAttempt() + 1;
    return RenderedImage.newBuilder(previous)
        .setAttempt(attempt)
        .setRerenderNearDuplicates(true)
        .setParams(GenerationParams.newBuilder(previous.getParams())
            .setSeed(seed(previous.getImageId(), attempt))
            .build())
        .build();
  }

  /**
   * The request a re-render record stands for, so the render job renders it like any other: the
   * generation parameters of {@code rerender.params} (its seed included), its ids, labels and
   * {@code submittedAt}; {@code numImages} is the image count, so results keep their shape.
   */
  public static RenderRequest request(RenderedImage rerender) {
    GenerationParams p = rerender.getParams();
    return RenderRequest.newBuilder()
        .setRequestId(rerender.getRequestId())
        .setTenant(rerender.getTenant())
        .setBatchId(rerender.getBatchId())
        .setPrompt(p.getPrompt())
        .setNegativePrompt(p.getNegativePrompt())
        .setModel(p.getModel())
        .setWidth(p.getWidth())
        .setHeight(p.getHeight())
        .setSteps(p.getSteps())
        .setGuidanceScale(p.getGuidanceScale())
        .setSeed(p.getSeed())
        .setNumImages(rerender.getImageCount())
        .setLabels(rerender.getLabels())
        .setSubmittedAt(rerender.getSubmittedAt())
        .setRerenderNearDuplicates(true)
        .build();
  }
}
