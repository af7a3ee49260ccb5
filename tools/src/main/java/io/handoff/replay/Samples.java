package io.handoff.replay;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;

/** The sample fleet bundled in the jar ({@code samples/fleet/<host>/…}), copied to a folder for replay. */
final class Samples {
    static final String ROOT = "samples/fleet";

    private Samples() {}

    /** Copies the bundled fleet into {@code target} and returns it. */
    static Path extract(Path target) {
        URL url = Samples.class.getClassLoader().getResource(ROOT);
        if (url == null) {
            throw new IllegalStateException("the sample fleet is not on the classpath (" + ROOT
                    + "); rebuild with ./handoff or mvn -DskipTests install");
        }
        try {
            URI uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
                    copyTree(fs.getPath("/" + ROOT), target);
                }
            } else {
                copyTree(Path.of(uri), target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("copying the sample fleet to " + target, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return target;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    try (InputStream in = Files.newInputStream(p)) {
                        Files.copy(in, dest, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
    }
}
