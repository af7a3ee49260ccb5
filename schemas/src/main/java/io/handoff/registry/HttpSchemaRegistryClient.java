package io.handoff.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Speaks the Confluent Schema Registry REST API as Confluent's own Java client does, so it works
 * against Confluent Schema Registry and against Apicurio's compatibility API
 * ({@code http://host:port/apis/ccompat/v7}). Requests:
 * <pre>
 *   register  POST /subjects/{s}/versions?normalize=false          {"schema":"..."}  -> {"id":N}
 *   lookupId  POST /subjects/{s}?normalize=false&amp;deleted=false    {"schema":"..."}  -> {"id":N,...}
 *   latest    GET  /subjects/{s}/versions/latest                                     -> {"id","version","schema"}
 *   byId      GET  /schemas/ids/{id}?fetchMaxId=false[&amp;subject=s]                   -> {"schema":"..."}
 *   compat    GET/PUT /config[/{s}]
 * </pre>
 * with {@code Content-Type: application/vnd.schemaregistry.v1+json}. The schema text is
 * {@link Schema#toString()} (what Confluent sends for a schema without references); no
 * {@code schemaType} (AVRO is the default) and no empty {@code references}.
 *
 * <p>Configuration (Confluent's keys; the {@code schema.registry.}-prefixed forms are accepted too):
 * <ul>
 *   <li>{@code basic.auth.credentials.source}: {@code URL} (default: user info of the URL, as in
 *       {@code http://user:pass@host:8081}) or {@code USER_INFO} (then {@code basic.auth.user.info=user:pass}).
 *   <li>{@code http.connect.timeout.ms}, {@code http.read.timeout.ms}: default 60000 each; the read
 *       timeout bounds each whole request.
 * </ul>
 * Several base URLs may be given comma separated; a request that cannot connect to one is tried on
 * the next, and the last one that answered is tried first afterwards. Answers are cached:
 * subject+schema → id and id → schema (both immutable in a registry). {@link #latest} is never cached
 * here; the serializer decides how long to keep it.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {

    public static final String CREDENTIALS_SOURCE_CONFIG = "basic.auth.credentials.source";
    public static final String USER_INFO_CONFIG = "basic.auth.user.info";
    public static final String CONNECT_TIMEOUT_CONFIG = "http.connect.timeout.ms";
    public static final String READ_TIMEOUT_CONFIG = "http.read.timeout.ms";
    public static final int DEFAULT_TIMEOUT_MS = 60_000;

    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    static final String ACCEPT = "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
    private static final String PREFIX = "schema.registry.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<URI> baseUrls;
    private final String authorization;
    private final Duration readTimeout;
    private final HttpClient http;
    private final Map<String, Integer> idBySubjectAndSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();
    private volatile int preferred;

    /**
     * @param urls   one or more base URLs, comma separated; each may have a path
     *               ({@code http://host:8080/apis/ccompat/v7}) and user info
     * @param config the serde's configuration (authentication and timeouts are read from it)
     */
    public HttpSchemaRegistryClient(String urls, Map<String, ?> config) {
        Map<String, ?> cfg = config == null ? Map.of() : config;
        List<String> parts = new ArrayList<>();
        for (String p : Objects.requireNonNull(urls, "urls").split(",")) {
            if (!p.isBlank()) {
                parts.add(p.trim());
            }
        }
        if (parts.isEmpty()) {
            throw new ConfigException("schema.registry.url", urls, "expected one or more http(s) URLs, comma separated");
        }
        String urlUserInfo = null;
        List<URI> bases = new ArrayList<>();
        for (String p : parts) {
            URI uri = parseUrl(p);
            if (uri.getRawUserInfo() != null && urlUserInfo == null) {
                urlUserInfo = URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8);
            }
            bases.add(withoutUserInfo(uri));
        }
        this.baseUrls = List.copyOf(bases);
        this.authorization = authorization(cfg, urlUserInfo);
        int connectMs = intConfig(cfg, CONNECT_TIMEOUT_CONFIG);
        this.readTimeout = Duration.ofMillis(intConfig(cfg, READ_TIMEOUT_CONFIG));
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofMillis(connectMs))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    private static URI parseUrl(String s) {
        try {
            URI uri = new URI(s);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new ConfigException("schema.registry.url", s, "expected http://host:port[/path] or https://…");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException("schema.registry.url", s, "not a URL: " + e.getMessage());
        }
    }

    private static URI withoutUserInfo(URI uri) {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return URI.create(uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + path);
    }

    private static Object get(Map<String, ?> cfg, String key) {
        Object v = cfg.get(key);
        return v != null ? v : cfg.get(PREFIX + key);
    }

    private static int intConfig(Map<String, ?> cfg, String key) {
        Object v = get(cfg, key);
        if (v == null) {
            return DEFAULT_TIMEOUT_MS;
        }
        try {
            int ms = v instanceof Number ? ((Number) v).intValue() : Integer.parseInt(v.toString().trim());
            if (ms <= 0) {
                throw new NumberFormatException();
            }
            return ms;
        } catch (NumberFormatException e) {
            throw new ConfigException(key, v, "expected a positive number of milliseconds");
        }
    }

    private static String authorization(Map<String, ?> cfg, String urlUserInfo) {
        Object src = get(cfg, CREDENTIALS_SOURCE_CONFIG);
        String source = src == null ? "URL" : src.toString().trim().toUpperCase(Locale.ROOT);
        String userInfo;
        switch (source) {
            case "URL":
                userInfo = urlUserInfo;
                break;
            case "USER_INFO":
                Object ui = get(cfg, USER_INFO_CONFIG);
                if (ui == null || ui.toString().isEmpty() || !ui.toString().contains(":")) {
                    throw new ConfigException(USER_INFO_CONFIG, ui == null ? null : "(hidden)",
                            "basic.auth.credentials.source=USER_INFO needs basic.auth.user.info=user:password");
                }
                userInfo = ui.toString();
                break;
            default:
                throw new ConfigException(CREDENTIALS_SOURCE_CONFIG, src, "expected URL or USER_INFO");
        }
        return userInfo == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int register(String subject, Schema schema) {
        String text = schema.toString();
        String key = subject + '\u0000' + text;
        Integer cached = idBySubjectAndSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("POST", "/subjects/" + segment(subject) + "/versions?normalize=false", schemaBody(text));
        int id = requiredInt(answer, "id", "register");
        idBySubjectAndSchema.put(key, id);
        schemaById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public int lookupId(String subject, Schema schema) {
        String text = schema.toString();
        String key = subject + '\u0000' + text;
        Integer cached = idBySubjectAndSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("POST", "/subjects/" + segment(subject) + "?normalize=false&deleted=false", schemaBody(text));
        int id = requiredInt(answer, "id", "lookup");
        idBySubjectAndSchema.put(key, id);
        schemaById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public SubjectVersion latest(String subject) {
        JsonNode answer = send("GET", "/subjects/" + segment(subject) + "/versions/latest", null);
        int id = requiredInt(answer, "id", "latest");
        int version = requiredInt(answer, "version", "latest");
        Schema schema = schemaById.computeIfAbsent(id, i -> parse(answer, "latest"));
        return new SubjectVersion(id, version, schema);
    }

    @Override
    public Schema byId(int id, String subject) {
        Schema cached = schemaById.get(id);
        if (cached != null) {
            return cached;
        }
        String path = "/schemas/ids/" + id + "?fetchMaxId=false" + (subject == null ? "" : "&subject=" + query(subject));
        Schema schema = parse(send("GET", path, null), "schema " + id);
        Schema first = schemaById.putIfAbsent(id, schema);
        return first == null ? schema : first; // one Schema per id, also when two threads fetched it
    }

    @Override
    public Compatibility getCompatibility(String subject) {
        String path = subject == null ? "/config" : "/config/" + segment(subject) + "?defaultToGlobal=true";
        JsonNode answer = send("GET", path, null);
        JsonNode level = answer.has("compatibilityLevel") ? answer.get("compatibilityLevel") : answer.get("compatibility");
        if (level == null || !level.isTextual()) {
            throw new SchemaRegistryException("Schema Registry " + describe() + ": GET " + path
                    + ": expected \"compatibilityLevel\" in the answer, got " + answer, 200, -1);
        }
        return Compatibility.valueOf(level.asText());
    }

    @Override
    public void setCompatibility(String subject, Compatibility level) {
        ObjectNode body = JSON.createObjectNode().put("compatibility", level.name());
        send("PUT", subject == null ? "/config" : "/config/" + segment(subject), body.toString());
    }

    @Override
    public String describe() {
        return baseUrls.stream().map(URI::toString).collect(Collectors.joining(","));
    }

    private static String schemaBody(String text) {
        return JSON.createObjectNode().put("schema", text).toString();
    }

    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String query(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private int requiredInt(JsonNode answer, String field, String what) {
        JsonNode n = answer.get(field);
        if (n == null || !n.canConvertToInt()) {
            throw new SchemaRegistryException("Schema Registry " + describe() + ": " + what + ": expected an integer \""
                    + field + "\" in the answer, got " + abbreviate(answer.toString()), 200, -1);
        }
        return n.intValue();
    }

    private Schema parse(JsonNode answer, String what) {
        JsonNode type = answer.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equals(type.asText())) {
            throw new SchemaRegistryException("Schema Registry " + describe() + ": " + what + " is a " + type.asText()
                    + " schema, expected AVRO", 200, -1);
        }
        JsonNode text = answer.get("schema");
        if (text == null || !text.isTextual()) {
            throw new SchemaRegistryException("Schema Registry " + describe() + ": " + what
                    + ": expected a \"schema\" string in the answer, got " + abbreviate(answer.toString()), 200, -1);
        }
        try {
            return new Schema.Parser().parse(text.asText());
        } catch (RuntimeException e) {
            throw new SchemaRegistryException("Schema Registry " + describe() + ": " + what
                    + " is not a valid Avro schema: " + e.getMessage(), e);
        }
    }

    /** Sends one request, trying each base URL in turn while connections fail. */
    private JsonNode send(String method, String pathAndQuery, String body) {
        List<String> failures = new ArrayList<>();
        IOException last = null;
        int n = baseUrls.size();
        int start = preferred;
        for (int i = 0; i < n; i++) {
            int index = (start + i) % n;
            URI base = baseUrls.get(index);
            HttpResponse<String> response;
            try {
                response = http.send(request(base, method, pathAndQuery, body), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (ConnectException | HttpConnectTimeoutException e) {
                failures.add(base + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
                last = e;
                continue;
            } catch (HttpTimeoutException e) {
                throw SchemaRegistryException.noAnswer("Schema Registry " + base + ": " + method + " " + pathAndQuery
                        + ": no answer within " + readTimeout.toMillis() + " ms (" + READ_TIMEOUT_CONFIG + ")", e);
            } catch (IOException e) {
                failures.add(base + ": " + e);
                last = e;
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("Schema Registry " + base + ": interrupted during " + method + " " + pathAndQuery, e);
            }
            preferred = index;
            return answer(base, method, pathAndQuery, response);
        }
        throw SchemaRegistryException.noAnswer("Schema Registry " + describe() + ": cannot connect for " + method + " "
                + pathAndQuery + ": " + String.join("; ", failures), last);
    }

    private HttpRequest request(URI base, String method, String pathAndQuery, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .timeout(readTimeout)
                .header("Accept", ACCEPT);
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        return b.build();
    }

    private static JsonNode answer(URI base, String method, String pathAndQuery, HttpResponse<String> response) {
        int status = response.statusCode();
        String text = response.body() == null ? "" : response.body();
        JsonNode json = null;
        try {
            json = text.isBlank() ? null : JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // not JSON: reported below
        }
        if (status >= 200 && status < 300) {
            if (json == null || !json.isObject()) {
                throw new SchemaRegistryException("Schema Registry " + base + ": " + method + " " + pathAndQuery + ": "
                        + status + " with a body that is not a JSON object: " + abbreviate(text), status, -1);
            }
            return json;
        }
        if (json != null && json.isObject() && json.has("error_code")) {
            int code = json.get("error_code").asInt(-1);
            String message = json.path("message").asText("");
            throw new SchemaRegistryException("Schema Registry " + base + ": " + status + " error " + code + ": " + message
                    + " (" + method + " " + pathOnly(pathAndQuery) + ")", status, code);
        }
        throw new SchemaRegistryException("Schema Registry " + base + ": " + status + " without a Schema Registry error body ("
                + method + " " + pathOnly(pathAndQuery) + "): " + abbreviate(text), status, -1);
    }

    private static String pathOnly(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    }

    private static String abbreviate(String s) {
        String flat = s.replaceAll("\\s+", " ").trim();
        return flat.isEmpty() ? "(empty)" : flat.length() <= 300 ? flat : flat.substring(0, 300) + "…";
    }
}
