package io.handoff.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The requests {@link HttpSchemaRegistryClient} sends and how it reports errors, against a JDK HTTP
 * server on loopback that answers with scripted replies and records every request.
 */
class HttpSchemaRegistryClientTest {
    private static final Schema SCHEMA = new Schema.Parser().parse(
            "{\"type\":\"record\",\"name\":\"Ping\",\"namespace\":\"t\",\"doc\":\"a \\\"quoted\\\" doc\",\"fields\":["
                    + "{\"name\":\"at\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}}]}");

    record Seen(String method, String uri, String contentType, String authorization, String body) {}

    record Reply(int status, String body) {}

    private HttpServer server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Deque<Reply> replies = new ArrayDeque<>();
    private String base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort() + "/registry";
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().toString(), ex.getRequestHeaders().getFirst("Content-Type"),
                ex.getRequestHeaders().getFirst("Authorization"), body));
        Reply r;
        synchronized (replies) {
            r = replies.isEmpty() ? new Reply(404, "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}") : replies.poll();
        }
        byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
        ex.sendResponseHeaders(r.status(), out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    private void reply(int status, String body) {
        synchronized (replies) {
            replies.add(new Reply(status, body));
        }
    }

    private static String schemaBody() {
        return "{\"schema\":" + new ObjectMapper().valueToTree(SCHEMA.toString()) + "}";
    }

    @Test
    void registersLikeConfluentsClientAndCachesTheId() {
        reply(200, "{\"id\":7}");
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(base, Map.of());

        assertEquals(7, client.register("logs value", SCHEMA));
        assertEquals(7, client.register("logs value", SCHEMA));
        assertEquals(SCHEMA, client.byId(7));

        assertEquals(List.of(new Seen("POST", "/registry/subjects/logs%20value/versions?normalize=false",
                "application/vnd.schemaregistry.v1+json", null, schemaBody())), seen);
    }

    @Test
    void looksUpLatestAndById() {
        String answer = new ObjectMapper().createObjectNode().put("subject", "logs-value").put("version", 3).put("id", 9)
                .put("schema", SCHEMA.toString()).toString();
        reply(200, answer);
        reply(200, answer);
        reply(200, "{\"schema\":" + new ObjectMapper().valueToTree(SCHEMA.toString()) + "}");
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(base + "/", Map.of());

        assertEquals(9, client.lookupId("logs-value", SCHEMA));
        assertEquals(new SchemaRegistryClient.SubjectVersion(9, 3, SCHEMA), client.latest("logs-value"));
        assertEquals(SCHEMA, client.byId(11, "logs-value"));

        assertEquals(List.of(
                new Seen("POST", "/registry/subjects/logs-value?normalize=false&deleted=false",
                        "application/vnd.schemaregistry.v1+json", null, schemaBody()),
                new Seen("GET", "/registry/subjects/logs-value/versions/latest", null, null, ""),
                new Seen("GET", "/registry/schemas/ids/11?fetchMaxId=false&subject=logs-value", null, null, "")), seen);
    }

    @Test
    void incompatibleSchemaQuotesErrorCodeAndMessage() {
        reply(409, "{\"error_code\":409,\"message\":\"Schema being registered is incompatible with an earlier schema"
                + " for subject \\\"logs-value\\\"\"}");
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(base, Map.of());

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.register("logs-value", SCHEMA));

        assertEquals("Schema Registry " + base + ": 409 error 409: Schema being registered is incompatible with an earlier"
                + " schema for subject \"logs-value\" (POST /subjects/logs-value/versions)", e.getMessage());
        assertEquals(409, e.httpStatus());
        assertEquals(409, e.errorCode());
    }

    @Test
    void sendsBasicAuthFromUserInfoAndQuotesA401() {
        reply(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(base, Map.of(
                "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "alice:s3cr:et"));

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.latest("logs-value"));

        assertEquals("Schema Registry " + base + ": 401 error 401: Unauthorized (GET /subjects/logs-value/versions/latest)", e.getMessage());
        assertEquals("Basic " + Base64.getEncoder().encodeToString("alice:s3cr:et".getBytes(StandardCharsets.UTF_8)),
                seen.get(0).authorization());
    }

    @Test
    void takesCredentialsFromTheUrlAndKeepsThemOutOfMessages() {
        reply(404, "{\"error_code\":40403,\"message\":\"Schema 5 not found\"}");
        String withCredentials = base.replace("http://", "http://bob:pa%3Ass@");
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(withCredentials, Map.of());

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.byId(5));

        assertEquals("Basic " + Base64.getEncoder().encodeToString("bob:pa:ss".getBytes(StandardCharsets.UTF_8)),
                seen.get(0).authorization());
        assertEquals("Schema Registry " + base + ": 404 error 40403: Schema 5 not found (GET /schemas/ids/5)", e.getMessage());
        assertEquals(base, client.describe());
        assertFalse(e.getMessage().contains("bob"), e.getMessage());
    }

    @Test
    void userInfoSourceWithoutUserInfoIsAConfigError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new HttpSchemaRegistryClient(base, Map.of("basic.auth.credentials.source", "USER_INFO")));

        assertEquals("Invalid value null for configuration basic.auth.user.info: basic.auth.credentials.source=USER_INFO"
                + " needs basic.auth.user.info=user:password", e.getMessage());
    }

    @Test
    void triesTheNextUrlWhenOneRefusesConnections() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String dead = "http://127.0.0.1:" + closedPort;
        reply(200, "{\"id\":3}");
        reply(200, "{\"id\":4}");
        Schema other = new Schema.Parser().parse("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"]}");
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(dead + ", " + base, Map.of());

        assertEquals(3, client.register("a", SCHEMA));
        assertEquals(4, client.register("b", other));

        assertEquals(2, seen.size());
        assertEquals(dead + "," + base, client.describe());
    }

    @Test
    void allUrlsDownIsOneErrorNamingEach() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient("http://127.0.0.1:" + closedPort,
                Map.of("http.connect.timeout.ms", "2000"));

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.byId(1));

        assertEquals(-1, e.errorCode());
        String prefix = "Schema Registry http://127.0.0.1:" + closedPort + ": cannot connect for GET /schemas/ids/1?fetchMaxId=false: "
                + "http://127.0.0.1:" + closedPort + ": ";
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        assertInstanceOf(ConnectException.class, e.getCause());
    }

    @Test
    void nonJsonErrorBodyIsQuoted() {
        reply(502, "<html>Bad Gateway</html>");
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(base, Map.of());

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.byId(1));

        assertEquals("Schema Registry " + base + ": 502 without a Schema Registry error body (GET /schemas/ids/1):"
                + " <html>Bad Gateway</html>", e.getMessage());
        assertNull(seen.get(0).contentType());
    }
}
