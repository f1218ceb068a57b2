package dev.kiln.safety.gallery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.schemas.Decision;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.Verdict;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class GalleryPageTest {
  private static final String BATCH = "b1";
  private static final Instant UPDATED = Instant.parse("2026-01-02T03:05:10.250Z");
  private static final Pattern EMBEDDED = Pattern.compile("data:image/png;base64,([A-Za-z0-9+/=]+)");

  private static String render(Integer expected, GalleryPage.Tile... tiles) {
    return new String(GalleryPage.render(new GalleryPage.Header(SampleResults.TENANT, BATCH, expected, UPDATED),
        List.of(tiles)), StandardCharsets.UTF_8);
  }

  private static GalleryPage.Tile tile(RenderResult result, byte[] image) {
    return new GalleryPage.Tile(GalleryEntry.of(result), image);
  }

  private static List<byte[]> embeddedImages(String html) {
    List<byte[]> images = new ArrayList<>();
    Matcher m = EMBEDDED.matcher(html);
    while (m.find()) {
      images.add(Base64.getDecoder().decode(m.group(1)));
    }
    return images;
  }

  @Test
  void escapesMarkupInPrompts() {
    String html = render(1, tile(SampleResults.published(BATCH, "r1", 0, 1, "<script>alert(1)</script> & \"quotes\""),
        SampleResults.png(64, 64, Color.RED)));

    assertThat(html).doesNotContain("<script").doesNotContain("alert(1)</script>")
        .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;")
        .contains("alt=\"&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;\"");
  }

  @Test
  void escapesMarkupInReasons() {
    var failed = dev.kiln.schemas.RenderResult.newBuilder(SampleResults.failed(BATCH, "r1", 0, 1, "a cat"))
        .setReason("<img src=x onerror=alert(1)>").build();

    String html = render(1, tile(failed, null));

    assertThat(html).doesNotContain("<img src=x").contains("&lt;img src=x onerror=alert(1)&gt;");
  }

  @Test
  void embedsAPublishedImageAndLinksItsSidecar() {
    byte[] png = SampleResults.png(64, 64, Color.BLUE);

    String html = render(1, tile(SampleResults.published(BATCH, "r1", 0, 1, "a blue square"), png));

    assertThat(embeddedImages(html)).singleElement().isEqualTo(png);
    assertThat(html).contains("width=\"64\" height=\"64\"")
        .contains("<a href=\"./r1-0.json\">Sidecar</a>")
        .contains("a blue square")
        .contains("<dt>Seed</dt><dd>1000</dd>")
        .contains("<dt>Verdict</dt><dd>APPROVED</dd>");
  }

  @Test
  void downscalesImagesLargerThan256PixelsToAThumbnail() throws IOException {
    byte[] large = SampleResults.png(600, 300, Color.GREEN);

    String html = render(1, tile(SampleResults.published(BATCH, "r1", 0, 1, "a wide field"), large));

    BufferedImage thumbnail = ImageIO.read(new ByteArrayInputStream(embeddedImages(html).get(0)));
    assertThat(thumbnail.getWidth()).isEqualTo(256);
    assertThat(thumbnail.getHeight()).isEqualTo(128);
    assertThat(new Color(thumbnail.getRGB(128, 64))).isEqualTo(Color.GREEN);
    assertThat(html).contains("width=\"256\" height=\"128\"");
  }

  @Test
  void quarantinedImageIsABlurredPlaceholderWithItsReasonAndNeverItsBytesOrKey() {
    // Bytes passed by mistake must still never reach the page.
    String html = render(1, tile(SampleResults.quarantined(BATCH, "r1", 0, 1, "a n u d e figure"),
        SampleResults.png(64, 64, Color.PINK)));

    assertThat(html).doesNotContain("data:image").doesNotContain("quarantine/").doesNotContain("r1-0.json")
        .doesNotContain("r1-0.png")
        .contains("<div class=\"veil rejected\"></div><span class=\"badge\">Quarantined</span>")
        .contains("<p class=\"reason\">blocked by policy: adult content</p>")
        .contains("<dt>Verdict</dt><dd>REJECTED (adult content)</dd>");
    assertThat(html).containsPattern("\\.veil\\{[^}]*filter:blur\\(");
  }

  @Test
  void rejectedTilesShowTheTenantFacingCategoryAndNoModerationInternals() {
    RenderResult classifier = rejectedBy(SampleResults.quarantined(BATCH, "r1", 0, 1, "a figure on a beach"),
        Verdict.newBuilder().setDecision(Decision.REJECTED).setCategory("classifier:Porn")
            .setReason("classifier:Porn=0.912>=0.80").setScores(Map.of("Porn", 0.912, "Neutral", 0.05))
            .setClassifierSha256("ab".repeat(32)).setPdqHash("f".repeat(64)).setPdqQuality(90));
    RenderResult blockList = rejectedBy(SampleResults.quarantined(BATCH, "r2", 0, 1, "a red circle"),
        Verdict.newBuilder().setDecision(Decision.REJECTED).setCategory("block-list")
            .setReason("block-list:csam-ref-7 (distance 12)").setBlockListMatch("csam-ref-7")
            .setNearDuplicateDistance(12).setPdqHash("0".repeat(64)));
    RenderResult prompt = rejectedBy(SampleResults.quarantined(BATCH, "r3", 0, 1, "a person at the seaside"),
        Verdict.newBuilder().setDecision(Decision.REJECTED).setCategory("prompt:sexual")
            .setReason("prompt matches policy category \"sexual\" (term \"nude\")"));

    String html = render(3, tile(classifier, null), tile(blockList, null), tile(prompt, null));

    assertThat(tileOf(html, "r1-0")).contains("<p class=\"reason\">blocked by policy: adult content</p>")
        .contains("<dd>REJECTED (adult content)</dd>");
    assertThat(tileOf(html, "r2-0")).contains("<p class=\"reason\">matched a block list</p>")
        .contains("<dd>REJECTED (block list)</dd>");
    assertThat(tileOf(html, "r3-0")).contains("<p class=\"reason\">blocked by policy: adult content</p>");
    assertThat(html).doesNotContain("0.912").doesNotContain("0.80").doesNotContain("0.05").doesNotContain("Porn")
        .doesNotContain("classifier").doesNotContain("csam-ref-7").doesNotContain("distance").doesNotContain("12)")
        .doesNotContain("nude").doesNotContain("term").doesNotContain("sexual").doesNotContain("f".repeat(16))
        .doesNotContain("0".repeat(16)).doesNotContain("ab".repeat(8));
  }

  /** {@code result} with a full verdict made by {@code verdict} and its reason as the result's reason. */
  private static RenderResult rejectedBy(RenderResult result, Verdict.Builder verdict) {
    Verdict full = verdict.setPolicyName("default").setPolicyVersion("1")
        .setScores(verdict.hasScores() ? verdict.getScores() : Map.of())
        .setChecks(List.of("integrity:sha256", "integrity:png", "classifier", "block-list")).build();
    return RenderResult.newBuilder(result).setReason(full.getReason()).setVerdict(full).build();
  }

  private static String tileOf(String html, String imageId) {
    int start = html.indexOf("<figure class=\"tile rejected\" id=\"image-" + imageId + "\"");
    assertThat(start).as("tile of %s", imageId).isNotNegative();
    return html.substring(start, html.indexOf("</figure>", start));
  }

  @Test
  void failedImageShowsItsReason() {
    String html = render(1, tile(SampleResults.failed(BATCH, "r1", 0, 1, "a cat"), null));

    assertThat(html).doesNotContain("data:image")
        .contains("<span class=\"badge\">Failed</span>")
        .contains("staged object staging/acme/b1/x.png is missing in bucket kiln");
  }

  @Test
  void publishedImageThatCannotBeReadSaysSo() {
    String html = render(1, tile(SampleResults.published(BATCH, "r1", 0, 1, "a cat"), null),
        tile(SampleResults.published(BATCH, "r2", 0, 1, "a dog"), "not a png".getBytes(StandardCharsets.UTF_8)));

    assertThat(html).doesNotContain("data:image");
    assertThat(html.split("Image unavailable", -1)).hasSize(3);
  }

  @Test
  void headerCountsResultsByStatusAgainstTheExpectedTotal() {
    byte[] png = SampleResults.png(64, 64, Color.RED);

    String html = render(6,
        tile(SampleResults.published(BATCH, "r1", 0, 1, "a"), png),
        tile(SampleResults.published(BATCH, "r2", 0, 2, "b"), png),
        tile(SampleResults.published(BATCH, "r2", 1, 2, "b"), png),
        tile(SampleResults.quarantined(BATCH, "r3", 0, 1, "c"), null),
        tile(SampleResults.failed(BATCH, "r4", 0, 2, "d"), null));

    assertThat(html).contains("<h1>acme<span class=\"sep\">/</span>b1</h1>")
        .contains("<strong class=\"count total\">5 of 6 images</strong>")
        .contains("<span class=\"count published\">3 published</span>")
        .contains("<span class=\"count rejected\">1 rejected</span>")
        .contains("<span class=\"count failed\">1 failed</span>")
        .contains("In progress, 1 to go")
        .contains("<time datetime=\"2026-01-02T03:05:10Z\">2026-01-02 03:05:10 UTC</time>");
  }

  @Test
  void completeBatchSaysComplete() {
    String html = render(1, tile(SampleResults.published(BATCH, "r1", 0, 1, "a"), SampleResults.png(8, 8, Color.RED)));

    assertThat(html).contains("1 of 1 image<").contains("Complete &middot; updated");
  }

  @Test
  void tilesAreOrderedByRequestNumberThenImageIndex() {
    String html = render(null,
        tile(SampleResults.failed(BATCH, "b1-r10", 0, 1, "ten"), null),
        tile(SampleResults.failed(BATCH, "b1-r2", 1, 2, "two-one"), null),
        tile(SampleResults.failed(BATCH, "b1-r2", 0, 2, "two-zero"), null));

    assertThat(html.indexOf("id=\"image-b1-r2-0\"")).isPositive()
        .isLessThan(html.indexOf("id=\"image-b1-r2-1\""));
    assertThat(html.indexOf("id=\"image-b1-r2-1\"")).isLessThan(html.indexOf("id=\"image-b1-r10-0\""));
  }

  @Test
  void pageLoadsNothingFromElsewhereAndRunsNoScript() {
    String html = render(2, tile(SampleResults.published(BATCH, "r1", 0, 2, "a"), SampleResults.png(64, 64, Color.RED)),
        tile(SampleResults.quarantined(BATCH, "r1", 1, 2, "a"), null));

    assertThat(html).doesNotContain("http://").doesNotContain("https://").doesNotContain("<script")
        .doesNotContain("<link").doesNotContain("url(").doesNotContain("@import")
        .contains("content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\"")
        .contains("<meta name=\"viewport\"");
    assertThat(html).doesNotContain("loading=\"lazy\"");
  }

  @Test
  void sameTilesGiveTheSameBytes() {
    byte[] png = SampleResults.png(300, 300, Color.ORANGE);
    GalleryPage.Header header = new GalleryPage.Header(SampleResults.TENANT, BATCH, 2, UPDATED);
    List<GalleryPage.Tile> tiles = List.of(tile(SampleResults.published(BATCH, "r1", 0, 2, "a"), png),
        tile(SampleResults.failed(BATCH, "r1", 1, 2, "a"), null));

    assertThat(GalleryPage.render(header, tiles)).isEqualTo(GalleryPage.render(header, List.of(tiles.get(1),
        tiles.get(0))));
  }

  @Test
  void emptyBatchSaysNoResultsYet() {
    assertThat(render(null)).contains("0 images").contains("No results yet.");
  }

  private static List<GalleryEntry> failedEntries(String... requestIds) {
    return java.util.Arrays.stream(requestIds)
        .map(id -> GalleryEntry.of(SampleResults.failed(BATCH, id, 0, 1, "prompt of " + id))).toList();
  }

  private static String renderPage(GalleryPage.Sheet sheet, int number) {
    List<GalleryPage.Tile> tiles = sheet.page(number).stream().map(e -> new GalleryPage.Tile(e, null)).toList();
    return new String(GalleryPage.render(new GalleryPage.Header(SampleResults.TENANT, BATCH, null, UPDATED), sheet,
        number, tiles), StandardCharsets.UTF_8);
  }

  @Test
  void aLargeSheetIsPagedAndEveryPageLinksTheContentsAndItsNeighbours() {
    GalleryPage.Sheet sheet = GalleryPage.Sheet.of(failedEntries("r5", "r3", "r1", "r4", "r2"), 2);

    String first = renderPage(sheet, 1);
    String second = renderPage(sheet, 2);
    String last = renderPage(sheet, 3);

    assertThat(sheet.pages()).isEqualTo(3);
    assertThat(first).contains("<strong class=\"count total\">5 images</strong>").contains("5 failed")
        .contains("<a href=\"./index.html\" aria-current=\"page\">1&ndash;2</a>")
        .contains("<a href=\"./page-2.html\">3&ndash;4</a>").contains("<a href=\"./page-3.html\">5&ndash;5</a>")
        .contains("<a href=\"./page-2.html\" rel=\"next\">Next</a>")
        .contains("id=\"image-r1-0\"").contains("id=\"image-r2-0\"").doesNotContain("id=\"image-r3-0\"");
    assertThat(second).contains("<title>Kiln gallery: acme / b1, page 2</title>")
        .contains("Page 2 &middot; images 3&ndash;4")
        .contains("<a href=\"./index.html\">Contents</a>")
        .contains("<a href=\"./index.html\" rel=\"prev\">Previous</a>")
        .contains("<a href=\"./page-3.html\" rel=\"next\">Next</a>")
        .contains("id=\"image-r3-0\"").contains("id=\"image-r4-0\"").doesNotContain("id=\"image-r2-0\"")
        .doesNotContain("failed</span>").doesNotContain("<time");
    assertThat(last).contains("<a href=\"./page-2.html\" rel=\"prev\">Previous</a>").doesNotContain("rel=\"next\"")
        .contains("id=\"image-r5-0\"");
    assertThat(GalleryPage.pageName(1)).isEqualTo("index.html");
    assertThat(GalleryPage.pageName(7)).isEqualTo("page-7.html");
  }

  @Test
  void aPagesFingerprintChangesOnlyWhenWhatItShowsChanges() {
    GalleryPage.Sheet sheet = GalleryPage.Sheet.of(failedEntries("r1", "r2", "r3", "r4", "r5"), 2);
    GalleryPage.Sheet appended = GalleryPage.Sheet.of(failedEntries("r1", "r2", "r3", "r4", "r5", "r6"), 2);
    GalleryPage.Sheet prepended = GalleryPage.Sheet.of(failedEntries("r0", "r1", "r2", "r3", "r4", "r5"), 2);

    assertThat(GalleryPage.fingerprint("acme", BATCH, appended, 2))
        .as("a result landing on the last page leaves page 2 alone")
        .isEqualTo(GalleryPage.fingerprint("acme", BATCH, sheet, 2));
    assertThat(GalleryPage.fingerprint("acme", BATCH, appended, 3)).isNotEqualTo(GalleryPage.fingerprint("acme",
        BATCH, sheet, 3));
    assertThat(GalleryPage.fingerprint("acme", BATCH, prepended, 2)).as("a result at the front shifts every page")
        .isNotEqualTo(GalleryPage.fingerprint("acme", BATCH, sheet, 2));
    assertThat(renderPage(appended, 2)).isEqualTo(renderPage(sheet, 2));
  }

  @Test
  void aLargeDetailedImageBecomesAThumbnailWithinTheByteLimit() throws IOException {
    BufferedImage noise = new BufferedImage(1024, 768, BufferedImage.TYPE_INT_RGB);
    java.util.Random random = new java.util.Random(1);
    for (int y = 0; y < noise.getHeight(); y++) {
      for (int x = 0; x < noise.getWidth(); x++) {
        noise.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
    ImageIO.write(noise, "png", png);

    String html = render(1, tile(SampleResults.published(BATCH, "r1", 0, 1, "static"), png.toByteArray()));

    Matcher m = Pattern.compile("data:(image/[a-z]+);base64,([A-Za-z0-9+/=]+)\" width=\"(\\d+)\" height=\"(\\d+)\"")
        .matcher(html);
    assertThat(m.find()).as("an embedded thumbnail").isTrue();
    byte[] thumbnail = Base64.getDecoder().decode(m.group(2));
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(thumbnail));
    assertThat(m.group(1)).isEqualTo("image/jpeg");
    assertThat(thumbnail.length).isLessThanOrEqualTo(GalleryPage.MAX_THUMBNAIL_BYTES);
    assertThat(decoded.getWidth()).isLessThanOrEqualTo(256).isEqualTo(Integer.parseInt(m.group(3)));
    assertThat(decoded.getHeight() * 4).isEqualTo(decoded.getWidth() * 3);
  }

  @Test
  void renderRefusesTilesThatAreNotThePagesEntries() {
    GalleryPage.Sheet sheet = GalleryPage.Sheet.of(failedEntries("r1", "r2", "r3"), 2);
    List<GalleryPage.Tile> firstPage = sheet.page(1).stream().map(e -> new GalleryPage.Tile(e, null)).toList();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GalleryPage.render(
            new GalleryPage.Header(SampleResults.TENANT, BATCH, null, UPDATED), sheet, 2, firstPage))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the tiles given for page 2 are not its entries: pass one tile per entry of sheet.page(2)");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GalleryPage.Sheet.of(List.of(), 0))
        .hasMessageContaining("set kiln.gallery.tiles-per-page to e.g. 500");
  }

  @Test
  void aThumbnailFromDecodedPixelsIsTheThumbnailOfTheirPng() throws IOException {
    for (BufferedImage image : List.of(shaded(512, 384), flat(512, 384))) {
      byte[] png = encode(image);
      BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));

      var fromPixels = GalleryPage.thumbnail(decoded).orElseThrow();
      var fromBytes = GalleryPage.thumbnail(png).orElseThrow();

      assertThat(fromPixels.bytes()).isEqualTo(fromBytes.bytes());
      assertThat(fromPixels.mediaType()).isEqualTo(fromBytes.mediaType());
      assertThat(fromPixels.width()).isEqualTo(256);
      assertThat(fromPixels.height()).isEqualTo(192);
    }
    assertThat(GalleryPage.thumbnail(shaded(512, 384)).orElseThrow().mediaType())
        .as("a shaded image of many colours").isEqualTo("image/jpeg");
    assertThat(GalleryPage.thumbnail(flat(512, 384)).orElseThrow().mediaType())
        .as("flat artwork").isEqualTo("image/png");
  }

  @Test
  void imagesThatFitAreNotThumbnailedFromPixels() {
    assertThat(GalleryPage.thumbnail(shaded(256, 200))).isEmpty();
  }

  @Test
  void aSmallPngIsEmbeddedAsItIsWithoutDecodingItsPixels() {
    byte[] png = SampleResults.png(64, 64, Color.RED);
    // The header stays readable, the pixel data does not decode: only the header is read.
    byte[] broken = java.util.Arrays.copyOf(png, png.length);
    for (int i = 60; i < broken.length - 20; i++) {
      broken[i] = (byte) 0x5a;
    }

    var thumbnail = GalleryPage.thumbnail(broken).orElseThrow();

    assertThat(thumbnail.bytes()).isSameAs(broken);
    assertThat(thumbnail.width()).isEqualTo(64);
  }

  /** Smooth shading with fine grain, as a render has: tens of thousands of colours. */
  private static BufferedImage shaded(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    java.util.Random grain = new java.util.Random(16);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int r = (int) (128 + 100 * Math.sin(x / 37.0) * Math.cos(y / 53.0)) + grain.nextInt(9) - 4;
        int g = x * 255 / width;
        int b = y * 255 / height;
        image.setRGB(x, y, Math.max(0, Math.min(255, r)) << 16 | g << 8 | b);
      }
    }
    return image;
  }

  /** Two flat colours. */
  private static BufferedImage flat(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = image.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setColor(Color.ORANGE);
    g.fillOval(width / 4, height / 4, width / 2, height / 2);
    g.dispose();
    return image;
  }

  private static byte[] encode(BufferedImage image) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
