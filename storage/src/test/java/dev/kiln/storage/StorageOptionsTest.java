package dev.kiln.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class StorageOptionsTest {

    @Test
    void readsEverySettingFromFlinkConfiguration() {
        Configuration conf = Configuration.fromMap(Map.of(
                "kiln.s3.endpoint", "http://127.0.0.1:9000",
                "kiln.s3.bucket", "renders",
                "kiln.s3.region", "eu-west-1",
                "kiln.s3.path-style", "false",
                "kiln.s3.access-key", "ak",
                "kiln.s3.secret-key", "sk",
                "kiln.s3.api-call-timeout", "1 min",
                "kiln.s3.api-call-attempt-timeout", "20 s",
                "kiln.s3.connection-timeout", "2 s",
                "kiln.s3.max-retries", "5"));

        S3Settings s = StorageOptions.fromConfiguration(conf);

        assertThat(s.endpoint()).contains(URI.create("http://127.0.0.1:9000"));
        assertThat(s.bucket()).isEqualTo("renders");
        assertThat(s.region()).isEqualTo("eu-west-1");
        assertThat(s.pathStyle()).isFalse();
        assertThat(s.accessKey()).contains("ak");
        assertThat(s.secretKey()).contains("sk");
        assertThat(s.apiCallTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.apiCallAttemptTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(s.connectionTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.maxRetries()).isEqualTo(5);
    }

    @Test
    void onlyBucketIsRequired() {
        Configuration conf = new Configuration();
        conf.set(StorageOptions.BUCKET, "kiln");

        assertThat(StorageOptions.fromConfiguration(conf)).isEqualTo(S3Settings.builder().setBucket("kiln").build());
    }

    @Test
    void missingBucketNamesTheOption() {
        assertThatThrownBy(() -> StorageOptions.fromConfiguration(new Configuration()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kiln.s3.bucket is not set");
    }

    @Test
    void accessKeyWithoutSecretNamesTheMissingOption() {
        Configuration conf = new Configuration();
        conf.set(StorageOptions.BUCKET, "kiln");
        conf.set(StorageOptions.ACCESS_KEY, "ak");

        assertThatThrownBy(() -> StorageOptions.fromConfiguration(conf))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kiln.s3.secret-key is not set");
    }

    @Test
    void invalidSettingIsReportedAsConfigurationError() {
        Configuration conf = new Configuration();
        conf.set(StorageOptions.BUCKET, "kiln");
        conf.set(StorageOptions.ENDPOINT, "localhost:9000");

        assertThatThrownBy(() -> StorageOptions.fromConfiguration(conf))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid kiln.s3.* configuration")
                .hasMessageContaining("http(s)");
    }

    @Test
    void everyOptionHasADescription() {
        for (var option : java.util.List.of(StorageOptions.ENDPOINT, StorageOptions.BUCKET, StorageOptions.REGION,
                StorageOptions.PATH_STYLE, StorageOptions.ACCESS_KEY, StorageOptions.SECRET_KEY,
                StorageOptions.API_CALL_TIMEOUT, StorageOptions.API_CALL_ATTEMPT_TIMEOUT,
                StorageOptions.CONNECTION_TIMEOUT, StorageOptions.MAX_RETRIES)) {
            assertThat(option.key()).startsWith("kiln.s3.");
            assertThat(option.description().getBlocks()).as(option.key()).isNotEmpty();
        }
    }
}
