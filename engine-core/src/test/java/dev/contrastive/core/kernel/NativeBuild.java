package dev.contrastive.core.kernel;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where the native-kernel profile builds the JNI libraries (Linux x86-64), a library that does not
 * load is a build fault, not a skip.
 */
public final class NativeBuild {

    private NativeBuild() {}

    /**
     * Skips the calling test where no library is expected to load: off Linux x86-64, or under {@code
     * contrastive.kernel=nd4j}.
     */
    public static void assumeLibrariesBuilt() {
        assumeTrue(System.getProperty("os.name").equals("Linux")
                && System.getProperty("os.arch").equals("amd64"));
        assumeTrue(!"nd4j".equals(System.getProperty("contrastive.kernel")));
    }
}
