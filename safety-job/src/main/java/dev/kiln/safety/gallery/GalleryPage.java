package dev.kiln.safety.gallery;

import static dev.kiln.safety.gallery.internal.Html.escape;

import dev.kiln.safety.gallery.internal.NaturalOrder;
import dev.kiln.safety.gallery.internal.Thumbnails;
import dev.kiln.safety.gallery.internal.Thumbnails.Thumbnail;
import dev.kiln.schemas.ResultStatus;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The contact sheet of one batch: self-contained HTML pages with one tile per image, at most
 * {@link Sheet#tilesPerPage()} tiles a page. The first page is {@value #FIRST_PAGE}, the others
 * {@code page-2.html}, {@code page-3.html} and so on, next to it.
 *
 * <p>A page needs nothing but itself, so it works from a presigned URL, from a public bucket and
 * from the S3 server's data directory alike: styles are inline, every published image is embedded
 * as a {@code data:} URI of a {@linkplain #thumbnail(byte[]) thumbnail} of at most {@value
 * #THUMBNAIL_SIZE} px and {@value #MAX_THUMBNAIL_BYTES} bytes, and a Content-Security-Policy forbids
 * scripts and every other source. So a page's size is bounded by its tile count. Links to the full
 * image, its sidecar and the other pages are relative ({@code ./{imageId}.png}, {@code
 * ./{imageId}.json}, {@code ./page-2.html}), so they resolve next to the page; through a presigned
 * URL they need their own signatures.
 *
 * <p>The first page carries the batch's summary, a link to every page and the first tiles. Every
 * other page shows only its own tiles and links to the first, previous and next pages, so a new
 * result changes the first page and the page it lands on (and, when it shifts tiles, the pages
 * after it) but no other.
 *
 * <p>A rejected image is shown as a blurred grey placeholder with the tenant-facing reason (see
 * {@link GalleryEntry#of}): the page never contains its bytes and never names anything under
 * {@code quarantine/}. A failed image shows the reason. All text, prompts included, is
 * HTML-escaped.
 *
 * <p>Rendering is a pure function of its arguments: the same tiles give the same bytes.
 */
public final class GalleryPage {
  /** Published images larger than this on either side are downscaled to it before embedding. */
  public static final int THUMBNAIL_SIZE = 256;
  /**
   * The most bytes an embedded thumbnail has (before base64). A rendered 256² thumbnail is
   * typically 10 to 20 KiB as a JPEG; noisier ones get a lower quality or fewer pixels.
   */
  public static final int MAX_THUMBNAIL_BYTES = 24 * 1024;
  /** The first page's name inside the batch's assets prefix. */
  public static final String FIRST_PAGE = "index.html";

  private static final DateTimeFormatter SHOWN_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
  private static final Comparator<GalleryEntry> TILE_ORDER =
      Comparator.comparing(GalleryEntry::requestId, NaturalOrder.INSTANCE)
          .thenComparingInt(GalleryEntry::imageIndex)
          .thenComparing(GalleryEntry::imageId);

  private static final String STYLE = """
      :root{color-scheme:light dark;--bg:#f6f6f4;--fg:#1c1c1c;--muted:#5f5f5f;--card:#fff;--line:#deded9;\
      --ok:#1a7f37;--bad:#b42318;--warn:#9a6700}
      @media (prefers-color-scheme:dark){:root{--bg:#151515;--fg:#ececec;--muted:#a6a6a6;--card:#1f1f1f;\
      --line:#343434;--ok:#4ac26b;--bad:#ff7b72;--warn:#d4a72c}}
      *{box-sizing:border-box}
      body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",\
      Roboto,"Helvetica Neue",Arial,sans-serif}
      header{padding:20px 24px 16px;border-bottom:1px solid var(--line)}
      h1{margin:0 0 6px;font-size:1.3rem;font-weight:600;overflow-wrap:anywhere}
      h1 .sep{color:var(--muted);font-weight:400;padding:0 .3em}
      .summary,.updated{margin:0;color:var(--muted)}
      .summary strong{color:var(--fg)}
      .count{white-space:nowrap}
      .count.published{color:var(--ok)}.count.rejected{color:var(--bad)}.count.failed{color:var(--warn)}
      main{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:16px;padding:20px 24px 32px}
      figure{margin:0;display:flex;flex-direction:column;background:var(--card);border:1px solid var(--line);\
      border-radius:8px;overflow:hidden}
      .frame{position:relative;overflow:hidden;aspect-ratio:1;display:flex;align-items:center;justify-content:center;\
      background:repeating-conic-gradient(#8881 0 25%,#0000 0 50%) 0 0/16px 16px}
      .frame a{display:block;width:100%;height:100%}
      .frame img{display:block;width:100%;height:100%;object-fit:contain}
      .frame img.small{image-rendering:pixelated}
      .veil{position:absolute;inset:-8px;filter:blur(3px)}
      .veil.rejected{background:repeating-linear-gradient(45deg,#8d8d8d 0 10px,#b4b4b4 10px 20px)}
      .veil.failed,.veil.missing{background:repeating-linear-gradient(-45deg,#c9c2b3 0 10px,#ddd7ca 10px 20px)}
      .badge{position:relative;padding:4px 10px;border-radius:999px;background:#000a;color:#fff;\
      font-size:.8rem;font-weight:600;letter-spacing:.02em}
      figcaption{padding:10px 12px 12px;display:flex;flex-direction:column;gap:6px}
      .prompt{margin:0;overflow-wrap:anywhere}
      .meta{margin:0;display:grid;grid-template-columns:auto 1fr;gap:2px 10px;font-size:.82rem;color:var(--muted)}
      .meta dt{font-weight:600}.meta dd{margin:0;overflow-wrap:anywhere}
      .reason{margin:0;font-size:.85rem;overflow-wrap:anywhere}
      .rejected .reason{color:var(--bad)}.failed .reason{color:var(--warn)}
      .links{font-size:.85rem}.links a{color:inherit}
      .empty{padding:24px;color:var(--muted)}
      nav.pages{margin:8px 0 0;color:var(--muted);font-size:.9rem}
      nav.pages a{color:inherit}nav.pages a[aria-current]{color:var(--fg);font-weight:600;text-decoration:none}
      footer{padding:0 24px 24px}
      """;

  private GalleryPage() {}

  /**
   * What the first page says about the batch as a whole.
   *
   * @param expectedImages the images the batch's requests asked for, as far as known; {@code null}
   *     when unknown
   * @param updatedAt when the newest result of the batch completed
   */
  public record Header(String tenant, String batchId, Integer expectedImages, Instant updatedAt) {
    public Header {
      Objects.requireNonNull(tenant, "tenant");
      Objects.requireNonNull(batchId, "batchId");
      Objects.requireNonNull(updatedAt, "updatedAt");
    }
  }

  /** One image of the batch and the thumbnail its tile embeds, if any. */
  public static final class Tile {
    private final GalleryEntry entry;
    private final Thumbnail thumbnail;

    /**
     * A tile whose thumbnail is made here from the image's bytes.
     *
     * @param image the image's bytes when it is PUBLISHED; {@code null} when they could not be
     *     read. Bytes given for any other status are never decoded and never put on the page.
     */
    public Tile(GalleryEntry entry, byte[] image) {
      this.entry = Objects.requireNonNull(entry, "entry");
      this.thumbnail = entry.status() == ResultStatus.PUBLISHED && image != null
          ? GalleryPage.thumbnail(image).orElse(null)
          : null;
    }

    private Tile(GalleryEntry entry, Thumbnail thumbnail) {
      this.entry = Objects.requireNonNull(entry, "entry");
      this.thumbnail = entry.status() == ResultStatus.PUBLISHED ? thumbnail : null;
    }

    /**
     * A tile with a thumbnail made before by {@link GalleryPage#thumbnail(byte[])}; {@code null}
     * when there is none. A thumbnail given for any status but PUBLISHED is never put on the page.
     */
    public static Tile withThumbnail(GalleryEntry entry, Thumbnail thumbnail) {
      return new Tile(entry, thumbnail);
    }

    public GalleryEntry entry() {
      return entry;
    }

    /** The thumbnail the tile embeds; empty for every status but PUBLISHED. */
    public Optional<Thumbnail> thumbnail() {
      return Optional.ofNullable(thumbnail);
    }
  }

  /**
   * The thumbnail a page embeds for an image: a PNG or JPEG of at most {@value #THUMBNAIL_SIZE}
   * px a side and {@value #MAX_THUMBNAIL_BYTES} bytes; empty when the bytes are not an image.
   */
  public static Optional<Thumbnail> thumbnail(byte[] image) {
    return Thumbnails.fit(image, THUMBNAIL_SIZE, MAX_THUMBNAIL_BYTES);
  }

  /**
   * The thumbnail a page embeds for an image larger than {@value #THUMBNAIL_SIZE} px on a side,
   * made from its decoded pixels: the same thumbnail {@link #thumbnail(byte[])} gives for any PNG
   * of these pixels, so the safety job makes it from the pixels moderation decoded, and the
   * gallery need not fetch and decode the image again. Empty for smaller images, which a page may
   * embed as they are, bytes and all.
   */
  public static Optional<Thumbnail> thumbnail(BufferedImage decoded) {
    if (decoded.getWidth() <= THUMBNAIL_SIZE && decoded.getHeight() <= THUMBNAIL_SIZE) {
      return Optional.empty();
    }
    return Optional.of(Thumbnails.fromPixels(decoded, THUMBNAIL_SIZE, MAX_THUMBNAIL_BYTES));
  }

  /**
   * A batch's results in tile order (request id, numbers by value, then image index) cut into
   * pages of at most {@code tilesPerPage}. Which page a result is on depends only on the set of
   * results, not on when they arrived.
   */
  public static final class Sheet {
    private final List<GalleryEntry> ordered;
    private final int tilesPerPage;

    private Sheet(List<GalleryEntry> ordered, int tilesPerPage) {
      this.ordered = ordered;
      this.tilesPerPage = tilesPerPage;
    }

    /** The sheet of {@code entries}, one per image id. */
    public static Sheet of(Collection<GalleryEntry> entries, int tilesPerPage) {
      if (tilesPerPage < 1) {
        throw new IllegalArgumentException("tilesPerPage is " + tilesPerPage + ": a page needs at least one tile;"
            + " set kiln.gallery.tiles-per-page to e.g. 500");
      }
      List<GalleryEntry> ordered = new ArrayList<>(entries);
      ordered.sort(TILE_ORDER);
      return new Sheet(List.copyOf(ordered), tilesPerPage);
    }

    public int tilesPerPage() {
      return tilesPerPage;
    }

    /** The number of tiles on all pages. */
    public int size() {
      return ordered.size();
    }

    /** The number of pages; an empty sheet has one, which says so. */
    public int pages() {
      return Math.max(1, (ordered.size() + tilesPerPage - 1) / tilesPerPage);
    }

    /** The entries on page {@code number} (from 1), in tile order. */
    public List<GalleryEntry> page(int number) {
      if (number < 1 || number > pages()) {
        throw new IllegalArgumentException("page " + number + " is not a page of this sheet: pages are 1 to " + pages());
      }
      int from = (number - 1) * tilesPerPage;
      return ordered.subList(Math.min(from, ordered.size()), Math.min(from + tilesPerPage, ordered.size()));
    }

    private Map<ResultStatus, Integer> counts() {
      Map<ResultStatus, Integer> counts = new EnumMap<>(ResultStatus.class);
      for (ResultStatus s : ResultStatus.values()) {
        counts.put(s, 0);
      }
      ordered.forEach(e -> counts.merge(e.status(), 1, Integer::sum));
      return counts;
    }
  }

  /** The name of page {@code number} inside the batch's assets prefix: {@value #FIRST_PAGE}, then {@code page-N.html}. */
  public static String pageName(int number) {
    if (number < 1) {
      throw new IllegalArgumentException("page " + number + ": pages are numbered from 1");
    }
    return number == 1 ? FIRST_PAGE : "page-" + number + ".html";
  }

  /** A one-page sheet of {@code tiles}: the whole batch on {@value #FIRST_PAGE}. */
  public static byte[] render(Header header, List<Tile> tiles) {
    Sheet sheet = Sheet.of(tiles.stream().map(Tile::entry).toList(), Math.max(1, tiles.size()));
    return render(header, sheet, 1, tiles);
  }

  /**
   * Page {@code number} of {@code sheet}, UTF-8 encoded.
   *
   * <p>Page 1 shows {@code header} with the counts of the whole sheet and links to every page.
   * Any other page shows only the tenant, the batch id, its number, its first tile's number, its
   * tiles and whether a page follows it: exactly what {@link #fingerprint} digests, so a page with
   * an unchanged fingerprint need not be written again.
   *
   * @param tiles one per entry of {@code sheet.page(number)}, in any order
   * @throws IllegalArgumentException if {@code tiles} are not the page's entries
   */
  public static byte[] render(Header header, Sheet sheet, int number, List<Tile> tiles) {
    List<Tile> ordered = new ArrayList<>(tiles);
    ordered.sort(Comparator.comparing(Tile::entry, TILE_ORDER));
    if (!ordered.stream().map(Tile::entry).toList().equals(sheet.page(number))) {
      throw new IllegalArgumentException("the tiles given for page " + number + " are not its entries: pass one tile"
          + " per entry of sheet.page(" + number + ")");
    }
    long thumbnailBytes = ordered.stream().mapToLong(t -> t.thumbnail().map(x -> x.bytes().length).orElse(0)).sum();
    StringBuilder html = new StringBuilder((int) Math.min(Integer.MAX_VALUE - 16,
        8192 + ordered.size() * 2048L + thumbnailBytes * 4 / 3));
    String title = header.tenant() + " / " + header.batchId() + (number == 1 ? "" : ", page " + number);
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:;"
            + " style-src 'unsafe-inline'\">\n")
        .append("<meta name=\"robots\" content=\"noindex\">\n")
        .append("<title>Kiln gallery: ").append(escape(title)).append("</title>\n")
        .append("<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
    boolean hasNext = number < sheet.pages();
    if (number == 1) {
      appendHeader(html, header, sheet.size(), sheet.counts());
      if (sheet.pages() > 1) {
        appendPageIndex(html, sheet);
      }
    } else {
      int first = (number - 1) * sheet.tilesPerPage() + 1;
      html.append("<header>\n<h1>").append(escape(header.tenant())).append("<span class=\"sep\">/</span>")
          .append(escape(header.batchId())).append("</h1>\n<p class=\"summary\">Page ").append(number)
          .append(" &middot; images ").append(first).append("&ndash;").append(first + ordered.size() - 1)
          .append("</p>\n");
      appendNeighbours(html, number, hasNext);
      html.append("</header>\n");
    }
    html.append("<main>\n");
    if (ordered.isEmpty()) {
      html.append("<p class=\"empty\">No results yet.</p>\n");
    }
    for (Tile tile : ordered) {
      appendTile(html, tile);
    }
    html.append("</main>\n");
    if (number > 1 || hasNext) {
      html.append("<footer>\n");
      appendNeighbours(html, number, hasNext);
      html.append("</footer>\n");
    }
    html.append("</body>\n</html>\n");
    return html.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A digest of everything page {@code number} (2 or later) shows, except its images' bytes: the
   * tenant, batch, page number, first tile, whether a page follows, and every field of its entries.
   * A published image never changes under its key, so an equal fingerprint means an equal page.
   */
  public static String fingerprint(String tenant, String batchId, Sheet sheet, int number) {
    if (number < 2) {
      throw new IllegalArgumentException("page " + number + " shows the whole batch's summary; only pages from 2 on"
          + " have a fingerprint");
    }
    StringBuilder text = new StringBuilder(256 + sheet.tilesPerPage() * 256)
        .append("v1\n").append(tenant).append('\n').append(batchId).append('\n').append(number).append('\n')
        .append(sheet.tilesPerPage()).append('\n').append(number < sheet.pages()).append('\n');
    // A record's toString lists every field by name; enums print their names, so the text is the same in any JVM.
    sheet.page(number).forEach(e -> text.append(e).append('\n'));
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256, which every Java SE JVM must provide", e);
    }
  }

  private static void appendPageIndex(StringBuilder html, Sheet sheet) {
    html.append("<nav class=\"pages\">Pages:");
    for (int n = 1; n <= sheet.pages(); n++) {
      int first = (n - 1) * sheet.tilesPerPage() + 1;
      int last = Math.min(n * sheet.tilesPerPage(), sheet.size());
      html.append(n == 1 ? " " : " &middot; ").append("<a href=\"./").append(pageName(n)).append('"')
          .append(n == 1 ? " aria-current=\"page\"" : "").append('>').append(first).append("&ndash;").append(last)
          .append("</a>");
    }
    html.append("</nav>\n");
  }

  private static void appendNeighbours(StringBuilder html, int number, boolean hasNext) {
    html.append("<nav class=\"pages\">");
    if (number > 1) {
      html.append("<a href=\"./").append(FIRST_PAGE).append("\">Contents</a> &middot; <a href=\"./")
          .append(pageName(number - 1)).append("\" rel=\"prev\">Previous</a>");
    }
    if (hasNext) {
      html.append(number > 1 ? " &middot; " : "").append("<a href=\"./").append(pageName(number + 1))
          .append("\" rel=\"next\">Next</a>");
    }
    html.append("</nav>\n");
  }

  private static void appendHeader(StringBuilder html, Header header, int shown, Map<ResultStatus, Integer> counts) {
    html.append("<header>\n<h1>").append(escape(header.tenant())).append("<span class=\"sep\">/</span>")
        .append(escape(header.batchId())).append("</h1>\n<p class=\"summary\"><strong class=\"count total\">")
        .append(shown);
    if (header.expectedImages() != null) {
      html.append(" of ").append(header.expectedImages());
    }
    int total = header.expectedImages() == null ? shown : header.expectedImages();
    html.append(total == 1 ? " image" : " images").append("</strong>")
        .append(" &middot; <span class=\"count published\">").append(counts.get(ResultStatus.PUBLISHED))
        .append(" published</span>")
        .append(" &middot; <span class=\"count rejected\">").append(counts.get(ResultStatus.REJECTED))
        .append(" rejected</span>")
        .append(" &middot; <span class=\"count failed\">").append(counts.get(ResultStatus.FAILED))
        .append(" failed</span></p>\n");
    html.append("<p class=\"updated\">");
    if (header.expectedImages() != null) {
      int toGo = header.expectedImages() - shown;
      html.append(toGo <= 0 ? "Complete" : "In progress, " + toGo + " to go").append(" &middot; updated");
    } else {
      html.append("Updated");
    }
    Instant updated = header.updatedAt().truncatedTo(ChronoUnit.SECONDS);
    html.append(" <time datetime=\"").append(updated).append("\">").append(SHOWN_TIME.format(updated))
        .append("</time></p>\n</header>\n");
  }

  private static void appendTile(StringBuilder html, Tile tile) {
    GalleryEntry e = tile.entry();
    String id = escape(e.imageId());
    Optional<Thumbnail> thumbnail = tile.thumbnail();
    String css = e.status().name().toLowerCase(Locale.ROOT);
    html.append("<figure class=\"tile ").append(css).append("\" id=\"image-").append(id).append("\">\n")
        .append("<div class=\"frame\">");
    if (thumbnail.isPresent()) {
      Thumbnail t = thumbnail.get();
      html.append("<a href=\"./").append(id).append(".png\"><img src=\"data:").append(t.mediaType())
          .append(";base64,").append(Base64.getEncoder().encodeToString(t.bytes())).append("\" width=\"").append(t.width())
          .append("\" height=\"").append(t.height()).append('"')
          .append(Math.max(t.width(), t.height()) < 128 ? " class=\"small\"" : "")
          .append(" alt=\"").append(escape(e.prompt())).append("\"></a>");
    } else {
      String veil = switch (e.status()) {
        case PUBLISHED -> "missing";
        case REJECTED -> "rejected";
        case FAILED -> "failed";
      };
      html.append("<div class=\"veil ").append(veil).append("\"></div><span class=\"badge\">")
          .append(badge(e)).append("</span>");
    }
    html.append("</div>\n<figcaption>\n");
    if (e.prompt() != null) {
      html.append("<p class=\"prompt\">").append(escape(e.prompt())).append("</p>\n");
    }
    html.append("<dl class=\"meta\">");
    meta(html, "Image", e.imageId());
    if (e.seed() != null) {
      meta(html, "Seed", Long.toString(e.seed()));
    }
    if (e.width() != null && e.height() != null) {
      meta(html, "Size", e.width() + "\u00d7" + e.height());
    }
    meta(html, "Status", e.status().name());
    if (e.decision() != null) {
      meta(html, "Verdict", e.decision().name() + (e.category() == null ? "" : " (" + e.category() + ")"));
    }
    html.append("</dl>\n");
    String reason = reason(e);
    if (!reason.isEmpty()) {
      html.append("<p class=\"reason\">").append(escape(reason)).append("</p>\n");
    }
    if (e.status() == ResultStatus.PUBLISHED) {
      // Only published images have their sidecar next to the page; a rejected one's is under quarantine/.
      html.append("<p class=\"links\"><a href=\"./").append(id).append(".json\">Sidecar</a> &middot; <a href=\"./")
          .append(id).append(".png\">Full image</a></p>\n");
    }
    html.append("</figcaption>\n</figure>\n");
  }

  private static String badge(GalleryEntry e) {
    return switch (e.status()) {
      case PUBLISHED -> "Image unavailable";
      case REJECTED -> e.assetKey() == null ? "Rejected" : "Quarantined";
      case FAILED -> "Failed";
    };
  }

  private static String reason(GalleryEntry e) {
    if (e.reason() != null && !e.reason().isBlank()) {
      return e.reason();
    }
    return e.verdictReason() == null ? "" : e.verdictReason();
  }

  private static void meta(StringBuilder html, String name, String value) {
    html.append("<dt>").append(name).append("</dt><dd>").append(escape(value)).append("</dd>");
  }
}
