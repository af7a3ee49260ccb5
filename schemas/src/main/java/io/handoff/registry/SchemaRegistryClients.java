package io.handoff.registry;

import org.apache.kafka.common.config.ConfigException;

import java.nio.file.Path;
import java.util.Map;

/** Chooses a {@link SchemaRegistryClient} for the value of {@code schema.registry.url}. */
public final class SchemaRegistryClients {
    private SchemaRegistryClients() {}

    /**
     * {@code mock://<scope>}: the {@link InMemorySchemaRegistryClient} shared by that scope;
     * {@code http(s)://…[,http(s)://…]}: a new {@link HttpSchemaRegistryClient} configured from {@code config},
     * behind the durable id cache of {@value CachedSchemaRegistryClient#CACHE_FILE_CONFIG} when that is set.
     */
    public static SchemaRegistryClient forUrl(String url, Map<String, ?> config) {
        if (url == null || url.isBlank()) {
            throw new ConfigException("Missing required configuration \"schema.registry.url\" which has no default value.");
        }
        String trimmed = url.trim();
        if (trimmed.startsWith("mock://")) {
            String scope = trimmed.substring("mock://".length());
            if (scope.isEmpty() || scope.contains(",")) {
                throw new ConfigException("schema.registry.url", url, "a mock URL is one mock://<scope>, e.g. mock://test");
            }
            return InMemorySchemaRegistryClient.forScope(scope);
        }
        if (trimmed.contains("mock://")) {
            throw new ConfigException("schema.registry.url", url, "cannot mix mock:// with real registry URLs");
        }
        HttpSchemaRegistryClient http = new HttpSchemaRegistryClient(trimmed, config);
        Object file = config == null ? null : config.get(CachedSchemaRegistryClient.CACHE_FILE_CONFIG);
        if (file == null || file.toString().isBlank()) {
            return http;
        }
        return new CachedSchemaRegistryClient(http, SchemaIdCache.forFile(Path.of(file.toString().trim()),
                http.describe()));
    }
}
