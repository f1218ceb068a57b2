package dev.kiln.render.job;

import dev.kiln.schemas.RenderRequest;

/** One image of a request: the request, which image, its id and its seed. A Flink POJO. */
public class ImageTask {
  public RenderRequest request;
  public int imageIndex;
  public String imageId;
  public long seed;

  public ImageTask() {}

  public ImageTask(RenderRequest request, int imageIndex, String imageId, long seed) {
    this.request = request;
    this.imageIndex = imageIndex;
    this.imageId = imageId;
    this.seed = seed;
  }

  @Override
  public String toString() {
    return imageId;
  }
}
