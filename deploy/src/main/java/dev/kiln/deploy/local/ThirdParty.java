package dev.kiln.deploy.local;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one place that calls third-party lifecycle methods declared {@code throws Exception}
 * (S3Proxy's {@code start}/{@code stop}, Kafka's {@code Formatter.run}).
 */
final class ThirdParty {

    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    private ThirdParty() {}

    /**
     * Runs {@code action}, rethrowing unchecked exceptions as they are and wrapping checked ones
     * with {@code what} as context. An interrupt is restored before it is wrapped.
     */
    static void run(String what, Action action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(what + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " was interrupted", e);
        } catch (Exception e) { // the callee's signature declares Exception; nothing narrower exists to catch
            throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
        }
    }
}
