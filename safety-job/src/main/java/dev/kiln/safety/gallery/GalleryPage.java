package dev.kiln.safety.gallery;

import static dev.kiln.safety.gallery.internal.Html.escape;

import dev.kiln.safety.gallery.internal.NaturalOrder;
import dev.kiln.safety.gallery.internal.Thumbnails;
import dev.kiln.safety.gallery.internal.Thumbnails.Thumbnail;
import dev.kiln.schemas.ResultStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The contact sheet of one batch: a self-contained {@code index.html} with one tile per image.
 *
 * <p>The page needs nothing but itself, so it works from a presigned URL, from a public bucket
 * and from the S3 server's data directory alike: styles are inline, every published image is
 * embedded as a {@code data:image/png} URI (downscaled to {@value #THUMBNAIL_SIZE} px when
 * larger), and a Content-Security-Policy forbids scripts and every other source. Links to the
 * full image and its sidecar are relative ({@code ./{imageId}.png}, {@code ./{imageId}.json}),
 * so they resolve next to the page; through a presigned URL they need their own signatures.
 *
 * <p>A rejected image is shown as a blurred grey placeholder with the reason: the page never
 * contains its bytes and never names anything under {@code quarantine/}. A failed image shows
 * the reason. All text, prompts included, is HTML-escaped.
 *
 * <p>Rendering is a pure function of its arguments: the same tiles give the same bytes.
 */
public final class GalleryPage {
  /** Published images larger than this on either side are downscaled to it before embedding. */
  public static final int THUMBNAIL_SIZE = 256;

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
      """;

  private GalleryPage() {}

  /**
   * What the page says about the batch as a whole.
   *
   * @param expectedImages the images the batch's requests asked for, as far as known; {@code null}
   *     when unknown
   * @param updatedAt when the newest result on the page completed
   */
  public record Header(String tenant, String batchId, Integer expectedImages, Instant updatedAt) {
    public Header {
      Objects.requireNonNull(tenant, "tenant");
      Objects.requireNonNull(batchId, "batchId");
      Objects.requireNonNull(updatedAt, "updatedAt");
    }
  }

  /**
   * One image of the batch.
   *
   * @param image the image's bytes when it is PUBLISHED; {@code null} when they could not be read.
   *     Bytes given for any other status are never put on the page.
   */
  public record Tile(GalleryEntry entry, byte[] image) {
    public Tile {
      Objects.requireNonNull(entry, "entry");
    }
  }

  /** The page's HTML, UTF-8 encoded; tiles are ordered by request id (numbers by value), then image index. */
  public static byte[] render(Header header, List<Tile> tiles) {
    List<Tile> ordered = new ArrayList<>(tiles);
    ordered.sort(Comparator.comparing(Tile::entry, TILE_ORDER));
    Map<ResultStatus, Integer> counts = new EnumMap<>(ResultStatus.class);
    for (ResultStatus s : ResultStatus.values()) {
      counts.put(s, 0);
    }
    ordered.forEach(t -> counts.merge(t.entry().status(), 1, Integer::sum));

    StringBuilder html = new StringBuilder(4096 + ordered.size() * 2048);
    String title = header.tenant() + " / " + header.batchId();
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:;"
            + " style-src 'unsafe-inline'\">\n")
        .append("<meta name=\"robots\" content=\"noindex\">\n")
        .append("<title>Kiln gallery: ").append(escape(title)).append("</title>\n")
        .append("<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
    appendHeader(html, header, ordered.size(), counts);
    html.append("<main>\n");
    if (ordered.isEmpty()) {
      html.append("<p class=\"empty\">No results yet.</p>\n");
    }
    for (Tile tile : ordered) {
      appendTile(html, tile);
    }
    html.append("</main>\n</body>\n</html>\n");
    return html.toString().getBytes(StandardCharsets.UTF_8);
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
    Optional<Thumbnail> thumbnail = e.status() == ResultStatus.PUBLISHED && tile.image() != null
        ? Thumbnails.fit(tile.image(), THUMBNAIL_SIZE)
        : Optional.empty();
    String css = e.status().name().toLowerCase(Locale.ROOT);
    html.append("<figure class=\"tile ").append(css).append("\" id=\"image-").append(id).append("\">\n")
        .append("<div class=\"frame\">");
    if (thumbnail.isPresent()) {
      Thumbnail t = thumbnail.get();
      html.append("<a href=\"./").append(id).append(".png\"><img src=\"data:image/png;base64,")
          .append(Base64.getEncoder().encodeToString(t.png())).append("\" width=\"").append(t.width())
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
