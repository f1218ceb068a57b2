package dev.kiln.render.job;

import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.Seeds;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/** One task per requested image, each with its deterministic id and seed. */
public class ExpandImages implements FlatMapFunction<RenderRequest, ImageTask> {
  private static final long serialVersionUID = 1L;

  @Override
  public void flatMap(RenderRequest request, Collector<ImageTask> out) {
    for (int i = 0; i < request.getNumImages(); i++) {
      String imageId = Seeds.imageId(request.getRequestId(), i);
      out.collect(new ImageTask(request, i, imageId, Seeds.seedFor(request.getSeed(), imageId, i)));
    }
  }
}
