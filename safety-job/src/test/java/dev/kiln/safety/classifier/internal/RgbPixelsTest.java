package dev.kiln.safety.classifier.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class RgbPixelsTest {
  @Test
  void colourImageBecomesHwcRgbOver255() {
    BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_3BYTE_BGR);
    image.setRGB(0, 0, 0xff0080);
    image.setRGB(1, 0, 0x00ff01);
    assertThat(RgbPixels.unitRgb(image))
        .containsExactly(1f, 0f, (float) (128 / 255.0), 0f, 1f, (float) (1 / 255.0));
  }

  @Test
  void alphaIsIgnored() {
    BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
    image.setRGB(0, 0, 0x20_40_80_c0);
    assertThat(RgbPixels.unitRgb(image))
        .containsExactly((float) (0x40 / 255.0), (float) (0x80 / 255.0), (float) (0xc0 / 255.0));
  }

  @Test
  void greyImageRepeatsTheStoredValueWithoutColourConversion() {
    BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setSample(0, 0, 0, 100);
    float v = (float) (100 / 255.0);
    assertThat(RgbPixels.unitRgb(image)).containsExactly(v, v, v);
  }
}
