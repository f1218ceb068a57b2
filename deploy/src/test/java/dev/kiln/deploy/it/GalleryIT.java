package dev.kiln.deploy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.safety.gallery.GalleryFunction;
import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.storage.S3Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * A batch's gallery page, loaded from the S3 server through a presigned URL into headless
 * Chromium: every tile is there and every embedded image decodes. The screenshot is left in
 * {@code target/gallery.png}.
 *
 * <p>Needs Debian's {@code chromium} (or {@code KILN_CHROMIUM=/path/to/chrome}). Without one the
 * test is skipped, except under {@code CI=true}, where it fails.
 */
class GalleryIT {
  private static final Duration PAGE_TIMEOUT = Duration.ofMinutes(1);
  private static final Duration BROWSER_TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void galleryShowsEveryImageOfTheBatchAndChromiumDecodesThemAll() throws Exception {
    Path browser = Chromium.find();
    SharedPipeline p = SharedPipeline.get();
    String batch = "gallery-" + UUID.randomUUID().toString().substring(0, 8);
    List<RenderRequest> requests = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      requests.add(PipelineIT.request(batch, i, "a " + PipelineIT.COLOURS[i] + " " + PipelineIT.SHAPES[i % 3]
          + " on a " + PipelineIT.COLOURS[(i + 4) % 8] + " background"));
    }
    RenderRequest rejected = PipelineIT.request(batch, 5, "a n u d e red circle on a blue background");
    requests.add(rejected);
    Kafka.send(p.stack.bootstrapServers(), "kiln.requests", requests.stream()
        .map(r -> Map.entry(r.getRequestId(), Codecs.REQUEST.encode(r))).toList());

    List<RenderResult> results = PipelineIT.awaitResults(p, batch, 6);

    // The render job rejects the policy-breaking prompt itself: it never reaches the safety job or the gallery.
    List<RenderResult> moderated = results.stream()
        .filter(r -> !r.getRequestId().equals(rejected.getRequestId())).toList();
    List<String> published = moderated.stream().filter(r -> r.getStatus() == ResultStatus.PUBLISHED)
        .map(RenderResult::getImageId).toList();
    assertThat(moderated).hasSize(5);
    assertThat(published).as("published images to decode").isNotEmpty();
    String key = GalleryFunction.pageKey("it", batch);
    String html = awaitPage(p, key, "5 of 5 images");
    assertThat(html).contains("Complete").contains(published.size() + " published")
        .doesNotContain("quarantine/").doesNotContain(rejected.getRequestId());
    moderated.forEach(r -> assertThat(html).contains("id=\"image-" + r.getImageId() + "\""));
    published.forEach(id -> assertThat(html).contains("<a href=\"./" + id + ".json\">Sidecar</a>"));

    URI url = presignedUrl(p.stack.s3Settings(), key);
    HttpResponse<String> served = HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(served.statusCode()).as("GET %s", url).isEqualTo(200);
    assertThat(served.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("text/html"));

    Path screenshot = Path.of("target", "gallery.png");
    JsonNode page = Chromium.load(browser, url, screenshot);

    assertThat(page.path("title").asText()).isEqualTo("Kiln gallery: it / " + batch);
    assertThat(page.path("tiles").asInt()).isEqualTo(5);
    assertThat(page.path("images").asInt()).as("embedded images").isEqualTo(published.size());
    assertThat(page.path("broken")).as("tiles whose image did not decode").isEmpty();
    assertThat(page.path("summary").asText()).contains("5 of 5 images");
    assertThat(Files.size(screenshot)).isGreaterThan(1_000);
  }

  private static String awaitPage(SharedPipeline p, String key, String expected) throws InterruptedException {
    long deadline = System.nanoTime() + PAGE_TIMEOUT.toNanos();
    String html = null;
    while (System.nanoTime() < deadline) {
      Optional<byte[]> page = p.store.getBytes(key);
      if (page.isPresent()) {
        html = new String(page.get(), StandardCharsets.UTF_8);
        if (html.contains(expected)) {
          return html;
        }
      }
      Thread.sleep(250);
    }
    throw new AssertionError(key + " did not show \"" + expected + "\" within " + PAGE_TIMEOUT
        + (html == null ? "; it was never written" : "; last version:\n" + html));
  }

  private static URI presignedUrl(S3Settings s3, String key) throws Exception {
    try (S3Presigner presigner = S3Presigner.builder()
        .endpointOverride(s3.endpoint().orElseThrow())
        .region(Region.of(s3.region()))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(s3.accessKey().orElseThrow(), s3.secretKey().orElseThrow())))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
        .build()) {
      URL url = presigner.presignGetObject(b -> b.signatureDuration(Duration.ofMinutes(10))
          .getObjectRequest(g -> g.bucket(s3.bucket()).key(key))).url();
      return url.toURI();
    }
  }

  /** Headless Chromium driven over the DevTools protocol, reaching nothing but loopback. */
  static final class Chromium {
    private static final List<String> CANDIDATES = List.of("chromium", "chromium-browser", "google-chrome");
    private static final String INSTALL = "install it with `apt-get install -y chromium` (Debian),"
        + " or set KILN_CHROMIUM to a Chrome/Chromium binary";

    // Waits for every image to decode, then reports what a reader would see.
    private static final String INSPECT = """
        (async () => {
          const images = Array.from(document.images);
          await Promise.all(images.map(i => i.decode().catch(() => null)));
          return JSON.stringify({
            title: document.title,
            tiles: document.querySelectorAll('figure').length,
            images: images.length,
            broken: images.filter(i => !i.complete || i.naturalWidth === 0)
                .map(i => i.closest('figure') ? i.closest('figure').id : i.src.slice(0, 40)),
            summary: document.querySelector('.summary') ? document.querySelector('.summary').textContent : ''
          });
        })()""";

    private Chromium() {}

    /** The browser binary; skips the test when there is none, or fails it under CI=true. */
    static Path find() {
      Optional<Path> found = Optional.ofNullable(System.getenv("KILN_CHROMIUM")).map(Path::of)
          .filter(Files::isExecutable)
          .or(() -> Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
              .filter(dir -> !dir.isEmpty())
              .flatMap(dir -> CANDIDATES.stream().map(name -> Path.of(dir, name)))
              .filter(Files::isExecutable)
              .findFirst());
      if (found.isEmpty()) {
        String reason = "No Chromium found (tried KILN_CHROMIUM and " + CANDIDATES + " on PATH): " + INSTALL;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
          Assertions.fail(reason);
        }
        System.out.println("GalleryIT skipped. " + reason);
        Assumptions.abort(reason);
      }
      return found.get();
    }

    /**
     * Opens {@code url} in a fresh headless browser, waits for the load event and every image,
     * writes a screenshot and returns what the page shows: title, tiles, images, broken (ids of
     * tiles whose image did not decode) and summary (the header's counts).
     */
    static JsonNode load(Path binary, URI url, Path screenshot) throws Exception {
      Path profile = Files.createTempDirectory("kiln-chromium-");
      Path log = Path.of("target", "chromium.log");
      Process process = new ProcessBuilder(binary.toString(),
          "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--disable-extensions", "--no-first-run", "--no-default-browser-check", "--mute-audio",
          "--hide-scrollbars", "--window-size=1200,900",
          // Only loopback: names resolve nowhere, and anything not bypassed (loopback is) goes to a closed port.
          "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
          "--proxy-server=http://127.0.0.1:9",
          "--remote-debugging-port=0",
          "--user-data-dir=" + profile, "about:blank")
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      try (Cdp cdp = Cdp.connect(devToolsUrl(process, profile, log))) {
        String target = cdp.call(null, "Target.createTarget", params().put("url", "about:blank"))
            .path("targetId").asText();
        String session = cdp.call(null, "Target.attachToTarget", params().put("targetId", target)
            .put("flatten", true)).path("sessionId").asText();
        cdp.call(session, "Page.enable", params());
        CompletableFuture<JsonNode> loaded = cdp.nextEvent(session, "Page.loadEventFired");
        JsonNode navigation = cdp.call(session, "Page.navigate", params().put("url", url.toString()));
        assertThat(navigation.path("errorText").asText()).as("navigating to %s", url).isEmpty();
        loaded.get(BROWSER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        JsonNode evaluated = cdp.call(session, "Runtime.evaluate", params().put("expression", INSPECT)
            .put("awaitPromise", true).put("returnByValue", true));
        if (evaluated.has("exceptionDetails")) {
          throw new AssertionError("inspecting the page failed: " + evaluated.path("exceptionDetails"));
        }
        JsonNode shot = cdp.call(session, "Page.captureScreenshot", params().put("format", "png"));
        Files.createDirectories(screenshot.toAbsolutePath().getParent());
        Files.write(screenshot, Base64.getDecoder().decode(shot.path("data").asText()));
        return JSON.readTree(evaluated.path("result").path("value").asText());
      } finally {
        stop(process);
        deleteProfile(profile);
      }
    }

    /**
     * Stops Chromium and its helper processes (renderer, GPU, crash handler), which would otherwise
     * outlive it and keep writing into the profile. They are listed before the browser goes: orphans
     * are no longer its descendants.
     */
    private static void stop(Process process) throws InterruptedException {
      List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
      all.add(process.toHandle());
      all.forEach(ProcessHandle::destroy);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      for (ProcessHandle p : all) {
        while (p.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
      }
      all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * Deletes the browser profile, trying a few times: a helper that was still exiting can add a
     * file after the walk. A profile that stays is only reported; it lies under target/ and goes with it.
     */
    private static void deleteProfile(Path profile) throws InterruptedException {
      for (int attempt = 1; ; attempt++) {
        try {
          deleteTree(profile);
          return;
        } catch (IOException | UncheckedIOException e) {
          if (attempt == 5) {
            System.out.println("GalleryIT: could not delete the browser profile " + profile + ": " + e);
            return;
          }
          Thread.sleep(200);
        }
      }
    }

    // With port 0 Chromium picks a free port and writes it, with the browser's WebSocket path, to this file.
    private static URI devToolsUrl(Process process, Path profile, Path log) throws Exception {
      Path file = profile.resolve("DevToolsActivePort");
      long deadline = System.nanoTime() + BROWSER_TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new AssertionError("Chromium exited with " + process.exitValue() + " before opening its DevTools"
              + " port; its output is in " + log.toAbsolutePath() + ":\n" + Files.readString(log));
        }
        if (Files.exists(file)) {
          List<String> lines = Files.readAllLines(file);
          if (lines.size() >= 2) {
            return URI.create("ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim());
          }
        }
        Thread.sleep(100);
      }
      throw new AssertionError("Chromium did not open its DevTools port within " + BROWSER_TIMEOUT + "; see "
          + log.toAbsolutePath());
    }

    private static ObjectNode params() {
      return JSON.createObjectNode();
    }

    private static void deleteTree(Path root) throws IOException {
      try (Stream<Path> paths = Files.walk(root)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> {
          try {
            Files.deleteIfExists(path);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
    }
  }

  /** The few DevTools protocol calls the test needs, over one WebSocket, with flat sessions. */
  static final class Cdp implements WebSocket.Listener, AutoCloseable {
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<JsonNode>> awaitedEvents = new ConcurrentHashMap<>();
    private final StringBuilder message = new StringBuilder();
    private WebSocket socket;

    static Cdp connect(URI browser) throws Exception {
      Cdp cdp = new Cdp();
      cdp.socket = HttpClient.newHttpClient().newWebSocketBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .buildAsync(browser, cdp)
          .get(BROWSER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      return cdp;
    }

    /** Sends one command and returns its result; a protocol error fails the test with its message. */
    JsonNode call(String session, String method, ObjectNode params) throws Exception {
      int id = ids.incrementAndGet();
      ObjectNode command = JSON.createObjectNode().put("id", id).put("method", method);
      command.set("params", params);
      if (session != null) {
        command.put("sessionId", session);
      }
      CompletableFuture<JsonNode> reply = new CompletableFuture<>();
      calls.put(id, reply);
      socket.sendText(JSON.writeValueAsString(command), true).get(10, TimeUnit.SECONDS);
      JsonNode response;
      try {
        response = reply.get(BROWSER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError("Chromium did not answer " + method + " within " + BROWSER_TIMEOUT, e);
      } catch (ExecutionException e) {
        throw new AssertionError("the DevTools connection failed during " + method, e.getCause());
      }
      if (response.has("error")) {
        throw new AssertionError(method + " failed: " + response.path("error"));
      }
      return response.path("result");
    }

    /** Completes with the next event {@code method} of {@code session}; ask before causing it. */
    CompletableFuture<JsonNode> nextEvent(String session, String method) {
      return awaitedEvents.computeIfAbsent(session + " " + method, k -> new CompletableFuture<>());
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      message.append(data);
      if (last) {
        JsonNode received;
        try {
          received = JSON.readTree(message.toString());
        } catch (IOException e) {
          throw new UncheckedIOException("Chromium sent a message that is not JSON", e);
        } finally {
          message.setLength(0);
        }
        if (received.has("id")) {
          CompletableFuture<JsonNode> reply = calls.remove(received.path("id").asInt());
          if (reply != null) {
            reply.complete(received);
          }
        } else {
          CompletableFuture<JsonNode> awaited = awaitedEvents.remove(
              received.path("sessionId").asText(null) + " " + received.path("method").asText());
          if (awaited != null) {
            awaited.complete(received.path("params"));
          }
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      calls.values().forEach(c -> c.completeExceptionally(error));
      awaitedEvents.values().forEach(c -> c.completeExceptionally(error));
    }

    @Override
    public void close() {
      socket.abort();
    }
  }
}
