package dev.kiln.render.engine;

import java.nio.file.Path;

/** Where tests find the shipped model; the build passes -Dkiln.models.dir. */
public final class ModelFixtures {
  private ModelFixtures() {}

  public static Path kilnTiny() {
    String models = System.getProperty("kiln.models.dir");
    if (models == null) {
      throw new IllegalStateException("-Dkiln.models.dir is not set: run the tests through Maven (the parent pom sets it)");
    }
    return Path.of(models, "kiln-tiny");
  }
}
