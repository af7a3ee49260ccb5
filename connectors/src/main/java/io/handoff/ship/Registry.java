package io.handoff.ship;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The tailing shipper's offsets file: for every file it reads, the file's identity (device + inode,
 * {@link java.nio.file.attribute.BasicFileAttributes#fileKey()}) and the byte offset just after the
 * last entry the broker <em>acknowledged</em>. A restart resumes there, so nothing acknowledged is
 * sent twice and nothing unacknowledged is skipped.
 *
 * <pre>{@code
 * {"version":1,"host":"web-01","files":[
 *   {"source":"nginx-error","path":"/var/log/nginx/error.log","key":"(dev=803,ino=1234)","offset":81234,"state":"current"},
 *   {"source":"nginx-error","path":"/var/log/nginx/error.log","key":"(dev=803,ino=1188)","offset":990112,"state":"rotated"}]}
 * }</pre>
 *
 * {@code state} is {@code current} for the file at {@code path}, {@code rotated} for a file renamed
 * away by logrotate whose end the shipper has not reached yet. Written atomically: the new content
 * goes to {@code <file>.tmp}, is forced to disk, and is renamed over the registry.
 */
public final class Registry {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final int VERSION = 1;

    /** One file's position. */
    public record Position(String source, String path, String key, long offset, boolean rotated) {}

    private Registry() {}

    /** Reads the registry; a missing file is an empty registry. */
    public static List<Position> read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the shipper registry " + file + ": " + e.getMessage(), e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalStateException("shipper registry " + file + " is not valid JSON (" + firstLine(e)
                    + "); move it away to ship every file from its beginning", e);
        }
        if (root == null || !root.isObject() || root.path("version").asInt(-1) != VERSION || !root.path("files").isArray()) {
            throw new IllegalStateException("shipper registry " + file + ": expected {\"version\":" + VERSION
                    + ",\"files\":[…]}; move it away to ship every file from its beginning");
        }
        List<Position> out = new ArrayList<>();
        int i = 0;
        for (JsonNode f : root.get("files")) {
            if (!f.path("source").isTextual() || !f.path("path").isTextual() || !f.path("key").isTextual()
                    || !f.path("offset").canConvertToLong() || f.path("offset").asLong() < 0) {
                throw new IllegalStateException("shipper registry " + file + ": files[" + i
                        + "] needs source, path, key (strings) and offset (a number >= 0), got " + f);
            }
            out.add(new Position(f.get("source").asText(), f.get("path").asText(), f.get("key").asText(),
                    f.get("offset").asLong(), "rotated".equals(f.path("state").asText())));
            i++;
        }
        return out;
    }

    /** Replaces the registry atomically (temporary file, fsync, rename). */
    public static void write(Path file, String host, List<Position> positions) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", VERSION);
        root.put("host", host);
        ArrayNode files = root.putArray("files");
        for (Position p : positions) {
            ObjectNode f = files.addObject();
            f.put("source", p.source());
            f.put("path", p.path());
            f.put("key", p.key());
            f.put("offset", p.offset());
            f.put("state", p.rotated() ? "rotated" : "current");
        }
        Path abs = file.toAbsolutePath();
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        try {
            Path parent = abs.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the shipper registry " + abs + ": " + e.getMessage(), e);
        }
    }

    private static String firstLine(Exception e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.split("\n", 2)[0];
    }
}
