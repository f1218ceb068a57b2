package dev.kiln.deploy.stack;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

import dev.kiln.deploy.local.LocalStack;

/**
 * The one {@link LocalStack} (Kafka broker + S3 server) that every {@code *IT} in this module shares.
 *
 * <p>Started on first use under {@code target/it-stack/<timestamp>/} and stopped by a JVM shutdown
 * hook; the data stays there for inspection. Tests must not close it, and should use their own
 * topic names or keys (e.g. with a random suffix) when they need isolation from other tests.
 */
public final class SharedStack {

    private static LocalStack stack;
    private static RuntimeException startFailure;

    private SharedStack() {}

    /** The shared stack, started on the first call. A failed start is rethrown on every later call. */
    public static synchronized LocalStack get() {
        if (startFailure != null) {
            throw new IllegalStateException("The shared IT stack failed to start earlier in this JVM", startFailure);
        }
        if (stack == null) {
            Path root = Path.of("target", "it-stack",
                    LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")));
            try {
                stack = LocalStack.start(root);
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
            LocalStack started = stack;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "kiln-it-stack-shutdown"));
        }
        return stack;
    }
}
