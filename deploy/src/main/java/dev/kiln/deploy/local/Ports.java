package dev.kiln.deploy.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free loopback ports. */
public final class Ports {

    static final String LOOPBACK = "127.0.0.1";

    private Ports() {}

    /**
     * A port that was free a moment ago. Another process could take it before the caller binds it;
     * use only where the server cannot bind port 0 itself (Kafka's static controller quorum).
     */
    public static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not find a free port on " + LOOPBACK, e);
        }
    }

    static int orFree(int port) {
        return port == 0 ? freeLoopbackPort() : port;
    }
}
