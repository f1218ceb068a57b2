package dev.kiln.storage;

import java.io.Serializable;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Opens an {@link S3Client} from {@link S3Settings}, in a form a Flink function can carry to its
 * task managers ({@code S3Clients::create} in jobs; a fake in unit tests). Whoever calls it owns
 * the client and closes it.
 */
@FunctionalInterface
public interface S3ClientFactory extends Serializable {
    S3Client create(S3Settings settings);
}
