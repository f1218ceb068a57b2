package dev.kiln.schemas;

import java.util.List;

/**
 * Kiln's Kafka topics, as the integration contract names them: the one place their names are
 * spelled. Jobs and commands take other names through their options; these are the defaults.
 */
public final class Topics {
  private Topics() {}

  /** RenderRequest records, keyed by requestId. */
  public static final String REQUESTS = "kiln.requests";
  /** DeadLetter records for anything a job could not process, keyed by the original key. */
  public static final String DEAD_LETTERS = "kiln.requests.dlq";
  /** RenderedImage references to staged images, keyed by imageId. */
  public static final String IMAGES = "kiln.images";
  /** RenderResult records, keyed by requestId. */
  public static final String RESULTS = "kiln.results";
  /** RenderedImage records the safety job sends back to be rendered again (near-duplicates). */
  public static final String RERENDERS = "kiln.rerenders";

  /** Every topic, in pipeline order. */
  public static final List<String> ALL = List.of(REQUESTS, DEAD_LETTERS, IMAGES, RESULTS, RERENDERS);
}
