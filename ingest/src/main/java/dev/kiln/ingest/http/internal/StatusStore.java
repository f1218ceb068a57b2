package dev.kiln.ingest.http.internal;

import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the API knows about every request, per tenant: submitted (from {@code kiln.requests} or
 * accepted by this server), dead-lettered (from {@code kiln.requests.dlq}) and the result of each
 * image (from {@code kiln.results}). Held in memory and rebuilt by re-reading the topics on start.
 *
 * <p>Memory is bounded by a cap on tracked requests: past it, the store forgets the oldest
 * complete requests (by first sight), and only when none of those is left the oldest pending ones,
 * until it is a tenth under the cap (so eviction runs once per many inserts). A forgotten request
 * answers like an unknown one; a later record of it starts it afresh. Thread-safe.
 *
 * <p>A request's overall status:
 * <ul>
 *   <li>{@code PENDING}: no image has a result yet;
 *   <li>{@code PARTIAL}: some but not all images have one;
 *   <li>every image has a result (or the request was dead-lettered): {@code PUBLISHED} if all are
 *       published, else {@code FAILED} if any failed (or it was dead-lettered), else
 *       {@code REJECTED}. {@code counts} shows a mix, e.g. 3 published and 1 rejected.
 * </ul>
 */
public final class StatusStore {
  /** A request's overall status; the last three are final. */
  public enum RequestStatus { PENDING, PARTIAL, PUBLISHED, REJECTED, FAILED }

  /**
   * One request as the API shows it.
   *
   * @param submittedAt {@code null} when only results are known (the request record has expired)
   * @param imageCount images the request asked for
   * @param images the latest result of each image that has one, by image index
   * @param failure why the request was dead-lettered, or {@code null}
   */
  public record RequestView(String tenant, String requestId, String batchId, Instant submittedAt, int imageCount,
      RequestStatus status, List<RenderResult> images, String failure) {
    public boolean complete() {
      return status != RequestStatus.PENDING && status != RequestStatus.PARTIAL;
    }

    public int count(ResultStatus status) {
      return (int) images.stream().filter(r -> r.getStatus() == status).count();
    }
  }

  /**
   * One batch of one tenant.
   *
   * @param requests requests known in the batch
   * @param completeRequests requests with a final status
   * @param expectedImages images the known requests asked for
   * @param deadLettered requests that failed before rendering
   * @param pendingImages images of unfinished requests that have no result yet
   */
  public record BatchView(String tenant, String batchId, int requests, int completeRequests, int expectedImages,
      int published, int rejected, int failed, int deadLettered, int pendingImages) {
    public int results() {
      return published + rejected + failed;
    }
  }

  private static final class Entry {
    final String tenant;
    final String requestId;
    String batchId;
    Instant submittedAt;
    int numImages;
    String failure;
    Instant failedSubmission;
    final Map<Integer, RenderResult> images = new TreeMap<>();

    Entry(String tenant, String requestId, String batchId) {
      this.tenant = tenant;
      this.requestId = requestId;
      this.batchId = batchId;
    }
  }

  /** Default cap on tracked requests: some hundreds of MB at most, with a few images each. */
  public static final int DEFAULT_MAX_REQUESTS = 200_000;

  // Insertion order is first sight: eviction walks it from the oldest.
  private final Map<String, Entry> requests = new LinkedHashMap<>();
  private final Map<String, Set<String>> requestsOfBatch = new HashMap<>();
  private final int maxRequests;

  /** A store of at most {@link #DEFAULT_MAX_REQUESTS} requests. */
  public StatusStore() {
    this(DEFAULT_MAX_REQUESTS);
  }

  /** A store of at most {@code maxRequests} requests, at least 1. */
  public StatusStore(int maxRequests) {
    if (maxRequests < 1) {
      throw new IllegalArgumentException("maxRequests is " + maxRequests + ": pass at least 1");
    }
    this.maxRequests = maxRequests;
  }

  /** Requests tracked now; never more than the cap. */
  public synchronized int size() {
    return requests.size();
  }

  /** Records a published request; a later submission of the same tenant and id updates it. */
  public synchronized void submitted(RenderRequest request) {
    Entry e = entry(request.getTenant(), request.getRequestId(), request.getBatchId());
    if (e.submittedAt == null || !request.getSubmittedAt().isBefore(e.submittedAt)) {
      e.submittedAt = request.getSubmittedAt();
      e.numImages = request.getNumImages();
    }
  }

  /** Records an image's result; a later result for the same image replaces the earlier one. */
  public synchronized void result(RenderResult result) {
    Entry e = entry(result.getTenant(), result.getRequestId(), result.getBatchId());
    e.images.put(result.getImageIndex(), result);
    if (e.numImages == 0) {
      e.numImages = result.getImageCount();
    }
  }

  /**
   * Records that a request was dead-lettered before rendering, with the job's reason. It applies to
   * that submission only: re-submitting the same id later (fixed, say) makes the request pending
   * again, whichever topic the store happens to read first while rebuilding.
   */
  public synchronized void deadLettered(RenderRequest request, String reason) {
    Entry e = entry(request.getTenant(), request.getRequestId(), request.getBatchId());
    if (e.submittedAt == null) {
      e.submittedAt = request.getSubmittedAt();
      e.numImages = request.getNumImages();
    }
    e.failure = reason;
    e.failedSubmission = request.getSubmittedAt();
  }

  /** The tenant's request; empty when unknown or another tenant's. */
  public synchronized Optional<RequestView> request(String tenant, String requestId) {
    Entry e = requests.get(key(tenant, requestId));
    return e == null ? Optional.empty() : Optional.of(view(e));
  }

  /** The tenant's batch; empty when no request of it is known. */
  public synchronized Optional<BatchView> batch(String tenant, String batchId) {
    Set<String> ids = requestsOfBatch.get(key(tenant, batchId));
    if (ids == null) {
      return Optional.empty();
    }
    int complete = 0;
    int expected = 0;
    int published = 0;
    int rejected = 0;
    int failed = 0;
    int deadLettered = 0;
    int pending = 0;
    for (String id : ids) {
      RequestView v = view(requests.get(key(tenant, id)));
      complete += v.complete() ? 1 : 0;
      expected += v.imageCount();
      published += v.count(ResultStatus.PUBLISHED);
      rejected += v.count(ResultStatus.REJECTED);
      failed += v.count(ResultStatus.FAILED);
      deadLettered += v.failure() != null ? 1 : 0;
      pending += v.complete() ? 0 : v.imageCount() - v.images().size();
    }
    return Optional.of(new BatchView(tenant, batchId, ids.size(), complete, expected, published, rejected, failed,
        deadLettered, pending));
  }

  /** The overall status of a request asking for {@code imageCount} images; see the class comment. */
  public static RequestStatus status(int imageCount, List<RenderResult> images, boolean deadLettered) {
    if (deadLettered) {
      return RequestStatus.FAILED;
    }
    if (images.isEmpty()) {
      return RequestStatus.PENDING;
    }
    if (images.size() < imageCount) {
      return RequestStatus.PARTIAL;
    }
    if (images.stream().allMatch(r -> r.getStatus() == ResultStatus.PUBLISHED)) {
      return RequestStatus.PUBLISHED;
    }
    return images.stream().anyMatch(r -> r.getStatus() == ResultStatus.FAILED)
        ? RequestStatus.FAILED : RequestStatus.REJECTED;
  }

  private Entry entry(String tenant, String requestId, String batchId) {
    String key = key(tenant, requestId);
    if (!requests.containsKey(key) && requests.size() >= maxRequests) {
      evict();
    }
    Entry e = requests.computeIfAbsent(key, k -> new Entry(tenant, requestId, batchId));
    if (!e.batchId.equals(batchId)) {
      // The same id re-published under another batch: it now belongs to the latest one.
      Set<String> old = requestsOfBatch.get(key(tenant, e.batchId));
      if (old != null) {
        old.remove(requestId);
        if (old.isEmpty()) {
          requestsOfBatch.remove(key(tenant, e.batchId));
        }
      }
      e.batchId = batchId;
    }
    requestsOfBatch.computeIfAbsent(key(tenant, batchId), k -> new LinkedHashSet<>()).add(requestId);
    return e;
  }

  /** Makes room: oldest complete requests first, then the oldest of all, down to 90% of the cap. */
  private void evict() {
    int target = maxRequests - Math.max(1, maxRequests / 10);
    for (Iterator<Entry> it = requests.values().iterator(); it.hasNext() && requests.size() > target; ) {
      Entry e = it.next();
      if (view(e).complete()) {
        it.remove();
        forgetInBatch(e);
      }
    }
    for (Iterator<Entry> it = requests.values().iterator(); it.hasNext() && requests.size() > target; ) {
      Entry e = it.next();
      it.remove();
      forgetInBatch(e);
    }
  }

  private void forgetInBatch(Entry e) {
    String batchKey = key(e.tenant, e.batchId);
    Set<String> ids = requestsOfBatch.get(batchKey);
    if (ids != null) {
      ids.remove(e.requestId);
      if (ids.isEmpty()) {
        requestsOfBatch.remove(batchKey);
      }
    }
  }

  private static RequestView view(Entry e) {
    List<RenderResult> images = new ArrayList<>(e.images.values());
    int imageCount = Math.max(e.numImages, images.size());
    String failure = e.failure != null && !e.failedSubmission.isBefore(e.submittedAt) ? e.failure : null;
    return new RequestView(e.tenant, e.requestId, e.batchId, e.submittedAt, imageCount,
        status(imageCount, images, failure != null), List.copyOf(images), failure);
  }

  // NUL cannot occur in a valid tenant, request or batch id, so keys cannot run into each other.
  private static String key(String tenant, String id) {
    return tenant + '\0' + id;
  }
}
