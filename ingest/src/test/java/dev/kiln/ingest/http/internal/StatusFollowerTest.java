package dev.kiln.ingest.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.ingest.http.FakeTopics;
import dev.kiln.ingest.http.TestResults;
import dev.kiln.ingest.http.internal.StatusStore.RequestStatus;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StatusFollowerTest {
  final FakeTopics topics = new FakeTopics();
  final StatusStore store = new StatusStore();
  StatusFollower follower;

  @AfterEach
  void close() {
    if (follower != null) {
      follower.close();
    }
  }

  @Test
  void rebuildsTheStoreFromEveryTopicAndIsReadyAtTheEndOffsetsOfTheStart() throws Exception {
    topics.withBacklog(FakeTopics.REQUESTS, 2).withBacklog(FakeTopics.RESULTS, 1);
    follower = new StatusFollower(topics.consumer, FakeTopics.REQUESTS, FakeTopics.RESULTS, FakeTopics.DLQ, store);
    follower.start();
    assertThat(follower.ready()).isFalse();

    topics.add(TestResults.request("acme", "b1", "r1", 1));
    topics.add(TestResults.published("acme", "b1", "r1", 0, 1));
    assertThat(follower.awaitReady(Duration.ofMillis(200))).isFalse();
    topics.add(TestResults.request("acme", "b1", "r2", 1));

    assertThat(follower.awaitReady(Duration.ofSeconds(5))).isTrue();
    assertThat(store.request("acme", "r1").orElseThrow().status()).isEqualTo(RequestStatus.PUBLISHED);
    assertThat(store.request("acme", "r2").orElseThrow().status()).isEqualTo(RequestStatus.PENDING);
    assertThat(topics.consumer.assignment()).hasSize(3);
  }

  @Test
  void emptyTopicsAreReadyAtOnce() {
    follower = new StatusFollower(topics.consumer, FakeTopics.REQUESTS, FakeTopics.RESULTS, FakeTopics.DLQ, store);
    follower.start();

    assertThat(follower.ready()).isTrue();
  }

  @Test
  void skipsRecordsThatDoNotDecode() throws Exception {
    topics.withBacklog(FakeTopics.RESULTS, 2);
    follower = new StatusFollower(topics.consumer, FakeTopics.REQUESTS, FakeTopics.RESULTS, null, store);
    follower.start();

    topics.add(FakeTopics.RESULTS, "junk", new byte[] {1, 2, 3});
    topics.add(TestResults.published("acme", "b1", "r1", 0, 1));

    assertThat(follower.awaitReady(Duration.ofSeconds(5))).isTrue();
    assertThat(store.request("acme", "r1")).isPresent();
  }

  @Test
  void aMissingDeadLetterTopicIsOnlyLoggedButAMissingResultsTopicStopsTheStart() {
    StatusFollower noDlq = new StatusFollower(topics.consumer, FakeTopics.REQUESTS, FakeTopics.RESULTS,
        "no.such.dlq", store);
    noDlq.start();
    assertThat(topics.consumer.assignment()).hasSize(2);
    noDlq.close();

    StatusFollower noResults = new StatusFollower(new FakeTopics().consumer, FakeTopics.REQUESTS, "no.such.results",
        null, store);
    assertThatThrownBy(noResults::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("topic no.such.results does not exist: create it, or pass the right name"
            + " (kiln serve --requests-topic/--results-topic)");
  }
}
