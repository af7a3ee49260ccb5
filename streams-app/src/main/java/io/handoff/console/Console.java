package io.handoff.console;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.handoff.topics.TopicNames;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The incident console of one instance: an {@link IncidentBoard} kept by an {@link IncidentFeed} of the
 * incident topics, and the page and API over it ({@link ConsoleHttp}). {@code handoff run} mounts
 * {@link #handler()} at {@code /} of its HTTP port; {@code handoff demo --serve} calls {@link #serve}.
 */
public final class Console implements AutoCloseable {
    private final IncidentFeed feed;
    private final ConsoleHttp handler;
    private HttpServer server;
    private ExecutorService executor;

    private Console(IncidentFeed feed) {
        this.feed = feed;
        this.handler = new ConsoleHttp(feed.board(), feed::caughtUp);
    }

    /**
     * Starts reading the incident topics.
     *
     * @param clientConfig Kafka client and serde settings ({@code bootstrap.servers}, {@code schema.registry.url}, …)
     */
    public static Console start(Map<String, String> clientConfig, TopicNames topics, IncidentFeed.Listener... listeners) {
        IncidentFeed feed = new IncidentFeed(clientConfig, topics, new IncidentBoard());
        for (IncidentFeed.Listener l : listeners) {
            feed.addListener(l);
        }
        return new Console(feed.start());
    }

    public HttpHandler handler() {
        return handler;
    }

    public IncidentFeed feed() {
        return feed;
    }

    /** Serves the console on its own HTTP server on loopback; port 0 picks a free one. Returns the port. */
    public int serve(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "handoff-console-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", handler);
        server.start();
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
        feed.close();
    }
}
