package dev.kiln.ingest.http.internal;

import static dev.kiln.ingest.http.TestResults.failed;
import static dev.kiln.ingest.http.TestResults.published;
import static dev.kiln.ingest.http.TestResults.rejected;
import static dev.kiln.ingest.http.TestResults.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.ingest.http.internal.StatusStore.BatchView;
import dev.kiln.ingest.http.internal.StatusStore.RequestStatus;
import dev.kiln.ingest.http.internal.StatusStore.RequestView;
import dev.kiln.schemas.RenderRequest;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StatusStoreTest {
  final StatusStore store = new StatusStore();

  RequestStatus status(String requestId) {
    return store.request("acme", requestId).map(RequestView::status).orElseThrow();
  }

  @Test
  void aRequestGoesFromPendingThroughPartialToPublished() {
    store.submitted(request("acme", "b1", "r1", 2));
    assertThat(status("r1")).isEqualTo(RequestStatus.PENDING);

    store.result(published("acme", "b1", "r1", 1, 2));
    assertThat(status("r1")).isEqualTo(RequestStatus.PARTIAL);

    store.result(published("acme", "b1", "r1", 0, 2));
    RequestView view = store.request("acme", "r1").orElseThrow();
    assertThat(view.status()).isEqualTo(RequestStatus.PUBLISHED);
    assertThat(view.complete()).isTrue();
    assertThat(view.images()).extracting(r -> r.getImageIndex()).containsExactly(0, 1);
  }

  @Test
  void aCompleteRequestWithAnyFailureIsFailedElseRejected() {
    store.result(published("acme", "b1", "mixed", 0, 2));
    store.result(rejected("acme", "b1", "mixed", 1, 2));
    store.result(rejected("acme", "b1", "bad", 0, 2));
    store.result(failed("acme", "b1", "bad", 1, 2));

    assertThat(status("mixed")).isEqualTo(RequestStatus.REJECTED);
    assertThat(status("bad")).isEqualTo(RequestStatus.FAILED);
  }

  @Test
  void requestsAreSeparatedByTenant() {
    store.result(published("acme", "b1", "r1", 0, 1));

    assertThat(store.request("globex", "r1")).isEmpty();
    assertThat(store.batch("globex", "b1")).isEmpty();
  }

  @Test
  void aResultSeenTwiceCountsOnce() {
    store.result(published("acme", "b1", "r1", 0, 1));
    store.result(published("acme", "b1", "r1", 0, 1));

    assertThat(store.request("acme", "r1").orElseThrow().images()).hasSize(1);
    assertThat(store.batch("acme", "b1").orElseThrow().published()).isEqualTo(1);
  }

  @Test
  void aDeadLetterFailsOnlyTheSubmissionItCameFrom() {
    RenderRequest first = request("acme", "b1", "r1", 1);
    store.deadLettered(first, "validate: unknown model");
    assertThat(status("r1")).isEqualTo(RequestStatus.FAILED);
    assertThat(store.request("acme", "r1").orElseThrow().failure()).isEqualTo("validate: unknown model");

    store.submitted(RenderRequest.newBuilder(first).setSubmittedAt(Instant.parse("2026-11-23T00:00:00Z")).build());

    assertThat(status("r1")).isEqualTo(RequestStatus.PENDING);
  }

  @Test
  void aBatchCountsImagesByStatus() {
    store.submitted(request("acme", "b1", "r1", 1));
    store.submitted(request("acme", "b1", "r2", 3));
    store.submitted(request("acme", "b2", "other", 1));
    store.result(published("acme", "b1", "r1", 0, 1));
    store.result(rejected("acme", "b1", "r2", 0, 3));

    BatchView batch = store.batch("acme", "b1").orElseThrow();

    assertThat(batch.requests()).isEqualTo(2);
    assertThat(batch.completeRequests()).isEqualTo(1);
    assertThat(batch.expectedImages()).isEqualTo(4);
    assertThat(batch.published()).isEqualTo(1);
    assertThat(batch.rejected()).isEqualTo(1);
    assertThat(batch.results()).isEqualTo(2);
    assertThat(batch.pendingImages()).isEqualTo(2);
  }

  @Test
  void staysUnderItsCapForgettingTheOldestCompleteRequestsFirst() {
    StatusStore bounded = new StatusStore(100);
    bounded.submitted(request("acme", "b0", "pending-first", 1));
    for (int i = 0; i < 1000; i++) {
      bounded.result(published("acme", "b1", "r" + i, 0, 1));
      assertThat(bounded.size()).isLessThanOrEqualTo(100);
    }
    bounded.submitted(request("acme", "b2", "newest", 1));

    assertThat(bounded.size()).isLessThanOrEqualTo(100);
    assertThat(bounded.request("acme", "newest")).isPresent();
    assertThat(bounded.request("acme", "r999").map(RequestView::status)).hasValue(RequestStatus.PUBLISHED);
    assertThat(bounded.request("acme", "pending-first")).as("pending outlives complete ones").isPresent();
    assertThat(bounded.request("acme", "r0")).isEmpty();
    assertThat(bounded.batch("acme", "b1").orElseThrow().requests()).isLessThan(100);
  }

  @Test
  void evictsPendingRequestsWhenNothingIsComplete() {
    StatusStore bounded = new StatusStore(10);
    for (int i = 0; i < 50; i++) {
      bounded.submitted(request("acme", "b1", "p" + i, 1));
    }

    assertThat(bounded.size()).isLessThanOrEqualTo(10);
    assertThat(bounded.request("acme", "p49")).isPresent();
    assertThat(bounded.request("acme", "p0")).isEmpty();
  }
}
