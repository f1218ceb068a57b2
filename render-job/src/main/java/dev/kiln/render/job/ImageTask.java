package dev.kiln.render.job;

import dev.kiln.schemas.RenderRequest;

/**
 * One image to render: the request, which image, its id, its seed, and which attempt this is (0 for
 * the first render; n for the n-th re-render of a near-duplicate, whose seed is not the request's).
 * A Flink POJO.
 */
public class ImageTask {
  public RenderRequest request;
  public int imageIndex;
  public String imageId;
  public long seed;
  public int attempt;
  public boolean rerenderNearDuplicates;

  public ImageTask() {}

  /** The first render of an image: attempt 0, re-rendering as the request asks. */
  public ImageTask(RenderRequest request, int imageIndex, String imageId, long seed) {
    this(request, imageIndex, imageId, seed, 0, request.getRerenderNearDuplicates());
  }

  public ImageTask(RenderRequest request, int imageIndex, String imageId, long seed, int attempt,
      boolean rerenderNearDuplicates) {
    this.request = request;
    this.imageIndex = imageIndex;
    this.imageId = imageId;
    this.seed = seed;
    this.attempt = attempt;
    this.rerenderNearDuplicates = rerenderNearDuplicates;
  }

  @Override
  public String toString() {
    return attempt == 0 ? imageId : imageId + " (attempt " + attempt + ")";
  }
}
