package dev.kiln.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

class S3ClientsTest {

    @Test
    void appliesEndpointRegionTimeoutsAndRetryBudget() {
        S3Settings settings = S3Settings.builder()
                .setBucket("kiln")
                .optEndpoint(URI.create("http://127.0.0.1:9"))
                .optRegion("eu-central-1")
                .optCredentials("ak", "sk")
                .optApiCallTimeout(Duration.ofSeconds(12))
                .optApiCallAttemptTimeout(Duration.ofSeconds(4))
                .optMaxRetries(2)
                .build();

        try (S3Client client = S3Clients.create(settings)) {
            var config = client.serviceClientConfiguration();
            assertThat(config.region()).isEqualTo(Region.EU_CENTRAL_1);
            assertThat(config.endpointOverride()).contains(URI.create("http://127.0.0.1:9"));
            assertThat(config.overrideConfiguration().apiCallTimeout()).contains(Duration.ofSeconds(12));
            assertThat(config.overrideConfiguration().apiCallAttemptTimeout()).contains(Duration.ofSeconds(4));
            assertThat(config.overrideConfiguration().retryStrategy())
                    .hasValueSatisfying(r -> assertThat(r.maxAttempts()).isEqualTo(3));
        }
    }
}
