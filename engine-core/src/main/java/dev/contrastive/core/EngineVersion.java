package dev.contrastive.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The engine's version, as Maven built it: recorded in every checkpoint and printed by {@code
 * contrastive --version}, so a file or a result can be traced to the code that made it.
 */
public final class EngineVersion {

    /** What {@link #get()} answers when the classes were not built by Maven (an IDE's own build). */
    public static final String UNKNOWN = "unknown";

    private static final String RESOURCE = "/dev/contrastive/engine.properties";
    private static final String VERSION = read();

    private EngineVersion() {}

    /** The version of engine-core, e.g. {@code 0.1.0}, or {@link #UNKNOWN}. */
    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = EngineVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return UNKNOWN;
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "");
            // An unfiltered copy still holds the ${...} placeholder.
            return v.isBlank() || v.startsWith("${") ? UNKNOWN : v;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}
