package dev.kiln.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectKeysTest {

    @Test
    void buildsDeterministicKeysForEveryArea() {
        assertThat(ObjectKeys.staging("acme", "batch-1", "req-7-0")).isEqualTo("staging/acme/batch-1/req-7-0.png");
        assertThat(ObjectKeys.asset("acme", "batch-1", "req-7-0")).isEqualTo("assets/acme/batch-1/req-7-0.png");
        assertThat(ObjectKeys.assetSidecar("acme", "batch-1", "req-7-0")).isEqualTo("assets/acme/batch-1/req-7-0.json");
        assertThat(ObjectKeys.quarantine("acme", "batch-1", "req-7-0"))
                .isEqualTo("quarantine/acme/batch-1/req-7-0.png");
        assertThat(ObjectKeys.quarantineSidecar("acme", "batch-1", "req-7-0"))
                .isEqualTo("quarantine/acme/batch-1/req-7-0.json");
    }

    @Test
    void everyRenderAttemptHasItsOwnStagingKey() {
        assertThat(ObjectKeys.staging("acme", "b1", "req-7-0", 0)).isEqualTo(ObjectKeys.staging("acme", "b1", "req-7-0"));
        assertThat(ObjectKeys.staging("acme", "b1", "req-7-0", 1)).isEqualTo("staging/acme/b1/req-7-0.r1.png");
        assertThat(ObjectKeys.staging("acme", "b1", "req-7-0", 12)).isEqualTo("staging/acme/b1/req-7-0.r12.png");
        assertThat(ObjectKeys.staging("acme", "b1", "req-7-0", 2))
                .startsWith(ObjectKeys.batchPrefix(ObjectKeys.Area.STAGING, "acme", "b1"));
    }

    @Test
    void rejectsANegativeAttemptOrAnAttemptKeyThatIsTooLong() {
        assertThatThrownBy(() -> ObjectKeys.staging("acme", "b1", "r-0", -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("attempt is -1");
        String longest = "i".repeat(140);
        assertThatThrownBy(() -> ObjectKeys.staging("acme", "b1", longest, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("imageId '" + longest + "' with attempt 1")
                .hasMessageContaining(ObjectKeys.IMAGE_ID_PATTERN);
        assertThatThrownBy(() -> ObjectKeys.staging("acme", "b1", "../x", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("imageId '../x'");
    }

    @Test
    void prefixesListOneTenantOrOneBatch() {
        assertThat(ObjectKeys.tenantPrefix(ObjectKeys.Area.ASSETS, "acme")).isEqualTo("assets/acme/");
        assertThat(ObjectKeys.batchPrefix(ObjectKeys.Area.STAGING, "acme", "b.2026_01"))
                .isEqualTo("staging/acme/b.2026_01/");
        assertThat(ObjectKeys.asset("acme", "b", "i")).startsWith(ObjectKeys.batchPrefix(ObjectKeys.Area.ASSETS, "acme", "b"));
    }

    @Test
    void acceptsIdsAtTheMaximumLength() {
        String tenant = "t".repeat(64);
        String image = "i".repeat(140);
        assertThat(ObjectKeys.staging(tenant, tenant, image)).isEqualTo("staging/" + tenant + "/" + tenant + "/" + image + ".png");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"../x", "a/b", "..", ".", "...", "a\\b", "tenant name", "ten%2Fant", "é"})
    void rejectsTenantThatEscapesPrefix(String tenant) {
        assertThatThrownBy(() -> ObjectKeys.asset(tenant, "batch", "img"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tenant '" + tenant + "'")
                .hasMessageContaining(ObjectKeys.TENANT_OR_BATCH_PATTERN)
                .hasMessageContaining("dots only");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../other-tenant", "b/../../x", "..", ""})
    void rejectsBatchIdThatEscapesPrefix(String batchId) {
        assertThatThrownBy(() -> ObjectKeys.staging("acme", batchId, "img"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batchId '" + batchId + "'")
                .hasMessageContaining(ObjectKeys.TENANT_OR_BATCH_PATTERN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../assets/acme/b/x", "x/y", "..", ""})
    void rejectsImageIdThatEscapesPrefix(String imageId) {
        assertThatThrownBy(() -> ObjectKeys.quarantine("acme", "b", imageId))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("imageId '" + imageId + "'")
                .hasMessageContaining(ObjectKeys.IMAGE_ID_PATTERN);
    }

    @Test
    void rejectsTenantLongerThan64Characters() {
        String tenant = "t".repeat(65);
        assertThatThrownBy(() -> ObjectKeys.asset(tenant, "b", "i"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(tenant);
    }

    @Test
    void acceptsIdsThatContainButAreNotOnlyDots() {
        assertThat(ObjectKeys.asset("a..b", ".hidden", "v1.2.3")).isEqualTo("assets/a..b/.hidden/v1.2.3.png");
    }

    @Test
    void imageIdIsRequestIdDashIndex() {
        assertThat(ObjectKeys.imageId("3f2a-req", 0)).isEqualTo("3f2a-req-0");
        assertThat(ObjectKeys.imageId("3f2a-req", 12)).isEqualTo("3f2a-req-12");
    }

    @Test
    void imageIdRejectsNegativeIndexAndUnsafeRequestId() {
        assertThatThrownBy(() -> ObjectKeys.imageId("req", -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index is -1");
        assertThatThrownBy(() -> ObjectKeys.imageId("../req", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("requestId '../req'");
    }

    @Test
    void imageIdRejectsRequestIdThatMakesTheImageIdTooLong() {
        assertThatThrownBy(() -> ObjectKeys.imageId("r".repeat(139), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds 140 characters")
                .hasMessageContaining("at most 138 characters");
    }

    @Test
    void earlierStagingKeysAreEveryAttemptBeforeTheGivenOne() {
        assertThat(ObjectKeys.earlierStagingKeys("acme", "b1", "req-7-0", 0)).isEmpty();
        assertThat(ObjectKeys.earlierStagingKeys("acme", "b1", "req-7-0", 2))
                .containsExactly("staging/acme/b1/req-7-0.png", "staging/acme/b1/req-7-0.r1.png");
    }
}
