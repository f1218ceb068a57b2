package dev.kiln.render.engine.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.List;

/** Picks model outputs by name, as ONNX Runtime returns them in no guaranteed order. */
final class OnnxOutputs {
  private OnnxOutputs() {}

  static NDArray named(NDList list, String name) {
    NDArray array = list.get(name);
    if (array == null) {
      List<String> names = new ArrayList<>();
      list.forEach(a -> names.add(a.getName()));
      throw new IllegalStateException("model returned outputs " + names + " without " + name);
    }
    return array;
  }
}
