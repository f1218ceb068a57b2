package dev.kiln.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.storage.S3Settings;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Presigning is local computation, so these run without any S3 server. */
class S3AssetLinksTest {
  @Test
  void signsPathStyleUrlsForTheConfiguredEndpointRegionAndKey() {
    S3Settings settings = S3Settings.builder()
        .setBucket("kiln")
        .optEndpoint(URI.create("http://127.0.0.1:9000"))
        .optRegion("eu-west-1")
        .optCredentials("local-access", "local-secret")
        .build();

    try (S3AssetLinks links = S3AssetLinks.create(settings, Duration.ofMinutes(15))) {
      AssetLinks.Link link = links.link("assets/acme/b1/r1-0.png");

      assertThat(link.url().getScheme()).isEqualTo("http");
      assertThat(link.url().getAuthority()).isEqualTo("127.0.0.1:9000");
      assertThat(link.url().getPath()).isEqualTo("/kiln/assets/acme/b1/r1-0.png");
      assertThat(link.url().getQuery())
          .contains("X-Amz-Algorithm=AWS4-HMAC-SHA256")
          .contains("X-Amz-Expires=900")
          .containsPattern("X-Amz-Credential=local-access/\\d{8}/eu-west-1/s3/aws4_request")
          .contains("X-Amz-Signature=");
      assertThat(link.expiresAt()).isBetween(Instant.now().plus(Duration.ofMinutes(14)),
          Instant.now().plus(Duration.ofMinutes(16)));
    }
  }

  @Test
  void signsVirtualHostedUrlsForAwsWithoutAnEndpoint() {
    S3Settings settings = S3Settings.builder().setBucket("kiln-prod").optCredentials("AKIA0000", "secret").build();

    try (S3AssetLinks links = S3AssetLinks.create(settings, Duration.ofHours(1))) {
      URI url = links.link("assets/acme/b1/r1-0.png").url();

      assertThat(url.getHost()).isEqualTo("kiln-prod.s3.amazonaws.com");
      assertThat(url.getPath()).isEqualTo("/assets/acme/b1/r1-0.png");
      assertThat(url.getQuery()).contains("X-Amz-Expires=3600");
    }
  }

  @Test
  void rejectsATtlSigV4CannotSign() {
    S3Settings settings = S3Settings.builder().setBucket("kiln").optCredentials("a", "b").build();

    assertThatThrownBy(() -> S3AssetLinks.create(settings, Duration.ofDays(8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("presigned URL TTL is PT192H: pass 1 second to 7 days (PT1S..P7D), e.g. PT15M");
    assertThatThrownBy(() -> S3AssetLinks.create(settings, Duration.ZERO))
        .hasMessageStartingWith("presigned URL TTL is PT0S");
  }
}
