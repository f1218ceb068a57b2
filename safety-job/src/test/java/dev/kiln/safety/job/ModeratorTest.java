package dev.kiln.safety.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.provenance.watermark.Payload;
import dev.kiln.provenance.watermark.Watermark;
import dev.kiln.safety.pdq.HashBlockList;
import dev.kiln.safety.pdq.PdqHasher;
import dev.kiln.policy.PromptPolicy;
import dev.kiln.safety.policy.TenantPolicies;
import dev.kiln.schemas.Decision;
import dev.kiln.schemas.GenerationParams;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.Verdict;
import dev.kiln.storage.Checksums;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ModeratorTest {
  static final TenantPolicies POLICIES = TenantPolicies.fromJson("""
      {"version": "t1",
       "default": {"classes": {"Porn": {"threshold": 0.6, "action": "reject"},
                               "Sexy": {"threshold": 0.8, "action": "flag"}}},
       "tenants": {"strict": {"classes": {"Drawing": {"threshold": 0.5, "action": "reject"}}},
                   "lenient-lists": {"blockList": "flag"}}}
      """);

  /** Scores every image the same; enough to test how thresholds and actions combine. */
  static ImageClassifier fixedScores(Map<String, Double> scores) {
    return new ImageClassifier() {
      @Override
      public Map<String, Double> classify(BufferedImage image) {
        return scores;
      }

      @Override
      public String sha256() {
        return "c".repeat(64);
      }

      @Override
      public void close() {}
    };
  }

  static final Map<String, Double> DRAWING = new LinkedHashMap<>(Map.of("Drawing", 0.7, "Hentai", 0.01,
      "Neutral", 0.2, "Porn", 0.01, "Sexy", 0.08));
  static final HashBlockList EMPTY = HashBlockList.fromLines(List.of());

  static Moderator moderator(Map<String, Double> scores, HashBlockList blockList) {
    return new Moderator(PromptPolicy.loadDefault(), POLICIES, fixedScores(scores), () -> blockList);
  }

  static final Moderator MODERATOR = moderator(DRAWING, EMPTY);

  static byte[] png(int w, int h) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "png", out);
    return out.toByteArray();
  }

  static RenderedImage image(byte[] png, String prompt, int w, int h) {
    return image("acme", png, prompt, w, h);
  }

  static RenderedImage image(String tenant, byte[] png, String prompt, int w, int h) {
    return RenderedImage.newBuilder()
        .setImageId("r1-0").setRequestId("r1").setTenant(tenant).setBatchId("b1").setImageIndex(0).setImageCount(1)
        .setBucket("kiln").setStagingKey("staging/acme/b1/r1-0.png").setSha256(Checksums.sha256Hex(png))
        .setByteSize(png.length)
        .setParams(GenerationParams.newBuilder().setModel("kiln-tiny").setPrompt(prompt).setWidth(w).setHeight(h)
            .setSteps(20).setGuidanceScale(3f).setSeed(1).build())
        .setSubmittedAt(Instant.EPOCH).setRenderedAt(Instant.EPOCH).setRenderMillis(1).build();
  }

  @Test
  void approvesAnIntactPngOfTheRequestedSizeWithAHarmlessPrompt() throws IOException {
    byte[] png = png(64, 64);
    Verdict v = MODERATOR.judge(image(png, "a red circle on a blue background", 64, 64), png);
    assertThat(v.getDecision()).isEqualTo(Decision.APPROVED);
    assertThat(v.getChecks()).containsExactly("integrity:sha256", "integrity:png", "prompt-policy", "classifier",
        "pdq", "block-list");
    assertThat(v.getPolicyName()).isEqualTo("default");
    assertThat(v.getScores()).isEqualTo(DRAWING);
    assertThat(v.getClassifierSha256()).isEqualTo("c".repeat(64));
    assertThat(v.getPdqHash()).hasSize(64);
  }

  @Test
  void theSameScoresRejectForOneTenantAndPassForAnother() throws IOException {
    byte[] png = png(64, 64);
    Verdict strict = MODERATOR.judge(image("strict", png, "a red circle", 64, 64), png);
    assertThat(strict.getDecision()).isEqualTo(Decision.REJECTED);
    assertThat(strict.getCategory()).isEqualTo("classifier:Drawing");
    assertThat(strict.getReason()).isEqualTo("classifier:Drawing=0.700>=0.50");
    assertThat(strict.getPolicyName()).isEqualTo("tenant:strict");
    assertThat(MODERATOR.judge(image("acme", png, "a red circle", 64, 64), png).getDecision())
        .isEqualTo(Decision.APPROVED);
  }

  @Test
  void aFlagRulePublishesWithTheFlag() throws IOException {
    byte[] png = png(64, 64);
    Map<String, Double> sexy = new LinkedHashMap<>(DRAWING);
    sexy.put("Sexy", 0.9);
    Verdict v = moderator(sexy, EMPTY).judge(image(png, "a red circle", 64, 64), png);
    assertThat(v.getDecision()).isEqualTo(Decision.FLAGGED);
    assertThat(v.getFlags()).containsExactly("classifier:Sexy=0.900>=0.80");
  }

  @Test
  void aBlockListedImageIsRejectedOrFlaggedAsTheTenantSays() throws IOException {
    BufferedImage picture = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        picture.setRGB(x, y, ((x / 8 + y / 8) % 2 == 0) ? 0xffffff : (x * 4) << 16);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(picture, "png", out);
    byte[] png = out.toByteArray();
    String hash = PdqHasher.hash(picture).hash().toHex();
    Moderator m = moderator(DRAWING, HashBlockList.fromLines(List.of(hash + " known-bad-42")));
    Verdict v = m.judge(image(png, "a red circle", 64, 64), png);
    assertThat(v.getDecision()).isEqualTo(Decision.REJECTED);
    assertThat(v.getCategory()).isEqualTo("block-list");
    assertThat(v.getBlockListMatch()).isEqualTo("known-bad-42");
    Verdict lenient = m.judge(image("lenient-lists", png, "a red circle", 64, 64), png);
    assertThat(lenient.getDecision()).isEqualTo(Decision.FLAGGED);
    assertThat(lenient.getFlags()).singleElement().asString().startsWith("block-list:known-bad-42");
  }

  @Test
  void examineGivesTheDecodedPixelsWithTheVerdict() throws IOException {
    BufferedImage drawn = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    drawn.setRGB(5, 7, 0x123456);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(drawn, "png", out);
    byte[] png = out.toByteArray();

    Moderator.Judgement judgement = MODERATOR.examine(image(png, "a red circle", 64, 64), png);

    assertThat(judgement.verdict()).isEqualTo(MODERATOR.judge(image(png, "a red circle", 64, 64), png));
    assertThat(judgement.decoded().getRGB(5, 7) & 0xffffff).isEqualTo(0x123456);
    byte[] tampered = png.clone();
    tampered[tampered.length - 20] ^= 1;
    assertThat(MODERATOR.examine(image(png, "a red circle", 64, 64), tampered).decoded())
        .as("bytes that fail the checksum are not decoded").isNull();
  }

  @Test
  void rgbOfADecodedPngIsRedGreenBlueRowByRow() throws IOException {
    BufferedImage drawn = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
    int[] colours = {0x010203, 0xff8000, 0x00ff7f, 0x102030, 0xfefdfc, 0x000000};
    drawn.setRGB(0, 0, 3, 2, colours, 0, 3);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(drawn, "png", out);
    BufferedImage decoded = Moderator.decodePng(out.toByteArray(), 3, 2);
    assertThat(decoded.getType()).as("what ImageIO decodes an RGB PNG to").isEqualTo(BufferedImage.TYPE_3BYTE_BGR);

    byte[] rgb = Moderator.rgb(decoded);

    assertThat(rgb).containsExactly(1, 2, 3, 0xff, 0x80, 0, 0, 0xff, 0x7f, 0x10, 0x20, 0x30, 0xfe, 0xfd, 0xfc, 0, 0, 0);
    assertThat(Moderator.rgb(drawn)).as("any other image type, through getRGB").isEqualTo(rgb);
  }

  @Test
  void rejectsBytesThatDoNotMatchTheRecordedChecksum() throws IOException {
    byte[] png = png(64, 64);
    byte[] tampered = png.clone();
    tampered[tampered.length - 20] ^= 1;
    Verdict v = MODERATOR.judge(image(png, "a red circle", 64, 64), tampered);
    assertThat(v.getDecision()).isEqualTo(Decision.REJECTED);
    assertThat(v.getCategory()).isEqualTo("integrity");
    assertThat(v.getReason()).contains("sha256");
  }

  @Test
  void rejectsAPngOfTheWrongSize() throws IOException {
    byte[] png = png(32, 64);
    Verdict v = MODERATOR.judge(image(png, "a red circle", 64, 64), png);
    assertThat(v.getDecision()).isEqualTo(Decision.REJECTED);
    assertThat(v.getReason()).isEqualTo("staged PNG is 32x64, requested 64x64");
  }

  @Test
  void rejectsBytesThatAreNotAnImage() {
    byte[] junk = "definitely not a png".getBytes();
    Verdict v = MODERATOR.judge(image(junk, "a red circle", 64, 64), junk);
    assertThat(v.getDecision()).isEqualTo(Decision.REJECTED);
    assertThat(v.getReason()).contains("not an image");
  }

  @Test
  void rejectsAPromptThePolicyForbidsEvenAfterRendering() throws IOException {
    byte[] png = png(64, 64);
    Verdict v = MODERATOR.judge(image(png, "a nud3 figure", 64, 64), png);
    assertThat(v.getDecision()).isEqualTo(Decision.REJECTED);
    assertThat(v.getCategory()).isEqualTo("prompt:sexual");
  }

  /** At guidance 0 the sampler follows the negative prompt alone, so it is screened like the prompt. */
  @Test
  void rejectsANegativePromptThePolicyForbids() throws IOException {
    byte[] png = png(64, 64);
    RenderedImage image = image(png, "a red circle", 64, 64);
    image.getParams().setNegativePrompt("blurry, n.u.d.e");

    Verdict v = MODERATOR.judge(image, png);

    assertThat(v.getDecision()).isEqualTo(Decision.REJECTED);
    assertThat(v.getCategory()).isEqualTo("prompt:sexual");
    assertThat(v.getReason()).startsWith("negative prompt matches policy category \"sexual\"");
  }

  @Test
  void approvesAHarmlessNegativePrompt() throws IOException {
    byte[] png = png(64, 64);
    RenderedImage image = image(png, "a red circle", 64, 64);
    image.getParams().setNegativePrompt("blurry, low quality, watermark");

    assertThat(MODERATOR.judge(image, png).getDecision()).isEqualTo(Decision.APPROVED);
  }

  /** A 64x64 render-like image: a disc on a gradient, in 20..235 so that marking never clips. */
  static byte[] render() {
    byte[] rgb = new byte[64 * 64 * 3];
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        boolean disc = (x - 30) * (x - 30) + (y - 26) * (y - 26) < 300;
        int i = 3 * (y * 64 + x);
        rgb[i] = (byte) (disc ? 220 : 20 + 2 * x);
        rgb[i + 1] = (byte) (disc ? 40 : 30 + 3 * y);
        rgb[i + 2] = (byte) (disc ? 60 : 160);
      }
    }
    return rgb;
  }

  static byte[] png(byte[] rgb) throws IOException {
    BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int p = 0; p < 64 * 64; p++) {
      image.setRGB(p % 64, p / 64, (rgb[3 * p] & 0xFF) << 16 | (rgb[3 * p + 1] & 0xFF) << 8 | rgb[3 * p + 2] & 0xFF);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  @Test
  void hashesWhatTheModelRenderedNotTheWatermark() throws IOException {
    byte[] rendered = render();
    Payload payload = Payload.of(1, "r1-0");
    byte[] marked = Watermark.embedRgb(rendered, 64, 64, payload);
    String unmarkedHash = PdqHasher.hash(64, 64, rendered).hash().toHex();
    assertThat(PdqHasher.hash(64, 64, marked).hash().toHex()).as("the mark alone moves the hash")
        .isNotEqualTo(unmarkedHash);
    byte[] png = png(marked);
    RenderedImage image = RenderedImage.newBuilder(image(png, "a red circle", 64, 64))
        .setWatermark(payload.toText()).build();

    Verdict v = moderator(DRAWING, HashBlockList.fromLines(List.of(unmarkedHash + " known-render"))).judge(image, png);

    assertThat(v.getPdqHash()).isEqualTo(unmarkedHash);
    assertThat(v.getBlockListMatch()).isEqualTo("known-render");
    assertThat(v.getDecision()).isEqualTo(Decision.REJECTED);
  }

  @Test
  void aRecordedWatermarkOfAnotherImageOrNoWatermarkAtAllFailsIntegrity() throws IOException {
    byte[] png = png(Watermark.embedRgb(render(), 64, 64, Payload.of(1, "r1-0")));
    RenderedImage other = RenderedImage.newBuilder(image(png, "a red circle", 64, 64))
        .setWatermark(Payload.of(1, "r9-0").toText()).build();
    RenderedImage garbage = RenderedImage.newBuilder(image(png, "a red circle", 64, 64))
        .setWatermark("kiln-wm1:zz").build();

    assertThat(MODERATOR.judge(other, png).getCategory()).isEqualTo("integrity");
    assertThat(MODERATOR.judge(other, png).getReason()).contains("is not that of image r1-0");
    assertThat(MODERATOR.judge(garbage, png).getCategory()).isEqualTo("integrity");
  }
}
