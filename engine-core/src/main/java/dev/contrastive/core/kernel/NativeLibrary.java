package dev.contrastive.core.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.LoggerFactory;

/**
 * Loading of, and array addresses for, the engine's JNI libraries (src/main/cpp, built with g++ by
 * the native-kernel profile and packed in the jar beside the class that binds them). Shared by
 * every binding class so that all of them follow one switch, system property {@code
 * contrastive.kernel}: {@code auto} (default: load, and fall back to the ND4J path with a warning
 * if that fails), {@code native} (fail if a library cannot load) or {@code nd4j} (load none).
 */
public final class NativeLibrary {

    private NativeLibrary() {}

    /**
     * Loads {@code lib<name>-linux-x86_64.so}, a resource in {@code owner}'s package, as {@code
     * contrastive.kernel} says.
     *
     * @param owner the class whose native methods the library implements; its logger gets the warning
     * @param name the library's name, e.g. {@code contrastive_loss}
     * @param fallback what takes the ND4J path if the library does not load, for the warning
     * @return whether the library is loaded
     * @throws IllegalStateException if it failed to load under {@code contrastive.kernel=native}
     */
    public static boolean load(Class<?> owner, String name, String fallback) {
        return load(owner, name, fallback, System.getProperty("contrastive.kernel", "auto"));
    }

    static boolean load(Class<?> owner, String name, String fallback, String mode) {
        if (mode.equals("nd4j")) {
            return false;
        }
        String file = fileName(name);
        try (InputStream in = owner.getResourceAsStream(file)) {
            if (in == null) {
                throw new IOException("resource " + file + " is not in the jar (built on another OS?)");
            }
            Path copy = Files.createTempFile(name, ".so");
            copy.toFile().deleteOnExit();
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            System.load(copy.toAbsolutePath().toString());
            return true;
        } catch (IOException | UnsatisfiedLinkError e) {
            if (mode.equals("native")) {
                throw new IllegalStateException("contrastive.kernel=native but " + file + " failed: " + e, e);
            }
            LoggerFactory.getLogger(owner)
                    .warn("native library {} unavailable, {} take the ND4J path: {}", file, fallback, e.toString());
            return false;
        }
    }

    /**
     * The packed file of library {@code name}; Linux x86-64 is the one platform the build compiles
     * for.
     */
    public static String fileName(String name) {
        return "lib" + name + "-linux-x86_64.so";
    }

    /**
     * Address of the first element of a C-order array. A view's buffer is itself offset (ND4J gives a
     * view a buffer that starts at its first element), so {@code addressPointer()} already points
     * there; adding {@code offset()} again read another part of the base array.
     */
    public static long address(INDArray x) {
        return x.data().addressPointer().address();
    }
}
