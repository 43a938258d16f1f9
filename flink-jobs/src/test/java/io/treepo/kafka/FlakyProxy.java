package io.treepo.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay in front of the embedded broker that can make the broker vanish for a while: every
 * open connection is cut and new ones are closed at once until the outage ends. Clients see what
 * they would see if the broker host went away and came back.
 */
public final class FlakyProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile long downUntilNanos;
    private volatile boolean closed;

    public FlakyProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "flaky-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** A port nothing listens on now (for the broker behind the proxy). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Cuts every connection now and refuses new ones for {@code length}. */
    public void outage(Duration length) {
        downUntilNanos = System.nanoTime() + length.toNanos();
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    private boolean down() {
        return System.nanoTime() < downUntilNanos;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                if (down()) {
                    closeQuietly(client);
                    continue;
                }
                Socket broker = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                open.add(client);
                open.add(broker);
                pump(client, broker);
                pump(broker, client);
            } catch (IOException e) {
                if (closed) return;
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // cut: by an outage or by either end
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "flaky-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private void closeQuietly(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }
}
