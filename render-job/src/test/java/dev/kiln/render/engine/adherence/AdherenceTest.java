package dev.kiln.render.engine.adherence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.render.engine.DiffusionEngine;
import dev.kiln.render.engine.ModelFixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * kiln-tiny must draw the prompted colour and shape for the held-out prompts (DDIM 20 steps,
 * guidance 3, seed = prompt index); the report in the failure message shows every miss.
 *
 * <p>The bar is {@code -Dkiln.adherence.min}, by default the 85% the render-engine issue asks for.
 * The shipped model measures 64/74 = 86.5% (models/kiln-tiny/MODEL_CARD.md). The engine is
 * deterministic for a seed, so the figure only moves when the model or the engine changes.
 */
class AdherenceTest {
  static final double MIN_RATE = Double.parseDouble(System.getProperty("kiln.adherence.min", "0.85"));

  @Test
  void kilnTinyDrawsThePromptedColourAndShapeForHeldOutPrompts() {
    StringWriter lines = new StringWriter();
    AdherenceCheck.Report report;
    try (DiffusionEngine engine = DiffusionEngine.load(ModelFixtures.kilnTiny())) {
      report = AdherenceCheck.run(engine, 20, 3f, 8, new PrintWriter(lines));
    }
    System.out.println(report.summary());
    assertThat(report.total()).isEqualTo(74);
    assertThat(report.rate()).as(report.summary() + "\n" + lines).isGreaterThanOrEqualTo(MIN_RATE);
  }
}
