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
 * <p>The bar is {@code -Dkiln.adherence.min}. Its default, 0.70, is a regression floor for the
 * shipped model, which measures 55/74 = 74.3%: it is NOT the 85% the render-engine issue asks for,
 * which this model does not reach yet (see models/kiln-tiny/MODEL_CARD.md). Run with
 * {@code -Dkiln.adherence.min=0.85} to check that bar.
 */
class AdherenceTest {
  static final double MIN_RATE = Double.parseDouble(System.getProperty("kiln.adherence.min", "0.70"));

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
