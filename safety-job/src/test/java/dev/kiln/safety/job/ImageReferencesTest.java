package dev.kiln.safety.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.schemas.RenderedImage;
import org.junit.jupiter.api.Test;

class ImageReferencesTest {
  private static RenderedImage.Builder valid() {
    return RenderedImage.newBuilder(ModeratorTest.image(new byte[] {1, 2, 3}, "a red circle", 64, 64));
  }

  @Test
  void acceptsAnImageThatNamesItsOwnStagingKey() {
    assertThat(ImageReferences.problems(valid().build(), "kiln")).isEmpty();
    assertThat(ImageReferences.problems(valid().setAttempt(2).setStagingKey("staging/acme/b1/r1-0.r2.png").build(),
        "kiln")).isEmpty();
  }

  @Test
  void refusesAStagingKeyInAnotherTenantsAssets() {
    assertThat(ImageReferences.problems(valid().setStagingKey("assets/other/b9/x-0.png").build(), "kiln"))
        .singleElement().asString()
        .contains("stagingKey 'assets/other/b9/x-0.png' is not this image's staging key 'staging/acme/b1/r1-0.png'");
  }

  @Test
  void refusesIdsThatEscapeTheirPrefix() {
    assertThat(ImageReferences.problems(valid().setTenant("..").setStagingKey("staging/../b1/r1-0.png").build(),
        "kiln")).singleElement().asString().startsWith("tenant, batchId or imageId cannot name an object");
    assertThat(ImageReferences.problems(valid().setImageId("../../assets/x").build(), "kiln")).isNotEmpty();
  }

  @Test
  void refusesAnotherBucketAndOutOfRangeFields() {
    assertThat(ImageReferences.problems(valid().setBucket("other").setAttempt(-1).setSha256("zz").setByteSize(0)
        .setImageIndex(3).build(), "kiln"))
        .anyMatch(p -> p.startsWith("bucket 'other'"))
        .anyMatch(p -> p.startsWith("attempt must be"))
        .anyMatch(p -> p.startsWith("sha256 must be"))
        .anyMatch(p -> p.startsWith("byteSize must be"))
        .anyMatch(p -> p.startsWith("imageIndex must be"));
  }
}
