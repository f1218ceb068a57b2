package dev.kiln.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Deterministic object keys for rendered images and their JSON sidecars.
 *
 * <pre>
 * staging/{tenant}/{batchId}/{imageId}.png      (re-render attempt n: {imageId}.rn.png)
 * assets/{tenant}/{batchId}/{imageId}.png      assets/{tenant}/{batchId}/{imageId}.json
 * quarantine/{tenant}/{batchId}/{imageId}.png  quarantine/{tenant}/{batchId}/{imageId}.json
 * </pre>
 *
 * <p>Every id is validated before it becomes part of a key: tenant and batch ids match
 * {@value #TENANT_OR_BATCH_PATTERN}, image ids {@value #IMAGE_ID_PATTERN}, and none may consist
 * of dots only. So no request can name a key outside its own tenant and batch.
 */
public final class ObjectKeys {

    public static final String TENANT_OR_BATCH_PATTERN = "[A-Za-z0-9._-]{1,64}";
    public static final String IMAGE_ID_PATTERN = "[A-Za-z0-9._-]{1,140}";

    private static final Pattern TENANT_OR_BATCH = Pattern.compile(TENANT_OR_BATCH_PATTERN);
    private static final Pattern IMAGE_ID = Pattern.compile(IMAGE_ID_PATTERN);
    private static final Pattern ONLY_DOTS = Pattern.compile("\\.+");

    /** The top-level prefixes, one per stage of an image's life. */
    public enum Area {
        /** Rendered, not yet moderated. Never published. */
        STAGING("staging"),
        /** Approved by moderation: the published images. */
        ASSETS("assets"),
        /** Rejected by moderation. */
        QUARANTINE("quarantine");

        private final String prefix;

        Area(String prefix) {
            this.prefix = prefix;
        }

        /** The key prefix without a trailing slash, e.g. {@code assets}. */
        public String prefix() {
            return prefix;
        }
    }

    private ObjectKeys() {}

    /** {@code staging/{tenant}/{batchId}/{imageId}.png} */
    public static String staging(String tenant, String batchId, String imageId) {
        return png(Area.STAGING, tenant, batchId, imageId);
    }

    /**
     * The staging key of one render of an image: attempt 0 (the first render) is
     * {@code staging/{tenant}/{batchId}/{imageId}.png}, re-render attempt {@code n} of a
     * near-duplicate is {@code staging/{tenant}/{batchId}/{imageId}.r{n}.png}. Each attempt has its
     * own key, so a replay of one attempt never overwrites another, and the safety job can delete
     * every attempt's object once the image is published. An image id always ends in
     * {@code -<index>}, so no attempt key is ever another image's key.
     *
     * @throws IllegalArgumentException if {@code attempt} is negative, or the id with its suffix is
     *     longer than {@value #IMAGE_ID_PATTERN} allows
     */
    public static String staging(String tenant, String batchId, String imageId, int attempt) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt is " + attempt + ": attempts start at 0 (the first render)");
        }
        if (attempt == 0) {
            return staging(tenant, batchId, imageId);
        }
        String segment = imageId(imageId) + ".r" + attempt;
        if (!IMAGE_ID.matcher(segment).matches()) {
            throw new IllegalArgumentException("imageId '" + imageId + "' with attempt " + attempt + " gives the key"
                    + " segment '" + segment + "', longer than " + IMAGE_ID_PATTERN + " allows; use a shorter"
                    + " request id or fewer re-renders");
        }
        return batchPrefix(Area.STAGING, tenant, batchId) + segment + ".png";
    }

    /**
     * The staging keys of attempts 0 to {@code attempt - 1} of an image: what is left under staging/
     * when attempt {@code attempt} is the one that gets the image's result (empty for attempt 0).
     */
    public static List<String> earlierStagingKeys(String tenant, String batchId, String imageId, int attempt) {
        List<String> keys = new ArrayList<>(Math.max(0, attempt));
        for (int earlier = 0; earlier < attempt; earlier++) {
            keys.add(staging(tenant, batchId, imageId, earlier));
        }
        return keys;
    }

    /** {@code assets/{tenant}/{batchId}/{imageId}.png} */
    public static String asset(String tenant, String batchId, String imageId) {
        return png(Area.ASSETS, tenant, batchId, imageId);
    }

    /** {@code assets/{tenant}/{batchId}/{imageId}.json} */
    public static String assetSidecar(String tenant, String batchId, String imageId) {
        return sidecar(Area.ASSETS, tenant, batchId, imageId);
    }

    /** {@code quarantine/{tenant}/{batchId}/{imageId}.png} */
    public static String quarantine(String tenant, String batchId, String imageId) {
        return png(Area.QUARANTINE, tenant, batchId, imageId);
    }

    /** {@code quarantine/{tenant}/{batchId}/{imageId}.json} */
    public static String quarantineSidecar(String tenant, String batchId, String imageId) {
        return sidecar(Area.QUARANTINE, tenant, batchId, imageId);
    }

    /** {@code {area}/{tenant}/{batchId}/{imageId}.png} */
    public static String png(Area area, String tenant, String batchId, String imageId) {
        return batchPrefix(area, tenant, batchId) + imageId(imageId) + ".png";
    }

    /** {@code {area}/{tenant}/{batchId}/{imageId}.json}, the provenance sidecar. */
    public static String sidecar(Area area, String tenant, String batchId, String imageId) {
        return batchPrefix(area, tenant, batchId) + imageId(imageId) + ".json";
    }

    /** {@code {area}/{tenant}/{batchId}/}, for listing one batch. */
    public static String batchPrefix(Area area, String tenant, String batchId) {
        return tenantPrefix(area, tenant) + validate("batchId", batchId, TENANT_OR_BATCH, TENANT_OR_BATCH_PATTERN) + '/';
    }

    /** {@code {area}/{tenant}/}, for listing one tenant. */
    public static String tenantPrefix(Area area, String tenant) {
        if (area == null) {
            throw new IllegalArgumentException("area is null: pass one of STAGING, ASSETS, QUARANTINE");
        }
        return area.prefix() + '/' + validate("tenant", tenant, TENANT_OR_BATCH, TENANT_OR_BATCH_PATTERN) + '/';
    }

    /**
     * The stable id of the {@code index}-th image of a request: {@code requestId + "-" + index}.
     *
     * @throws IllegalArgumentException if the request id is not a valid id or the result is too long
     */
    public static String imageId(String requestId, int index) {
        validate("requestId", requestId, IMAGE_ID, IMAGE_ID_PATTERN);
        if (index < 0) {
            throw new IllegalArgumentException("index is " + index + ": image indexes start at 0");
        }
        String id = requestId + "-" + index;
        if (id.length() > 140) {
            throw new IllegalArgumentException("requestId '" + requestId + "' is too long: with the image index"
                    + " the image id '" + id + "' exceeds 140 characters; use a request id of at most "
                    + (140 - 1 - Integer.toString(index).length()) + " characters");
        }
        return id;
    }

    private static String imageId(String imageId) {
        return validate("imageId", imageId, IMAGE_ID, IMAGE_ID_PATTERN);
    }

    private static String validate(String field, String value, Pattern pattern, String patternText) {
        if (value == null || !pattern.matcher(value).matches() || ONLY_DOTS.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " '" + value + "' is not allowed: it must match "
                    + patternText + " and must not consist of dots only");
        }
        return value;
    }
}
