package dev.contrastive.core.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.contrastive.core.kernel.NativeLibrary;
import org.junit.jupiter.api.Test;

/**
 * The other tests of this package skip without the library; where the build compiles it, that is a
 * fault.
 */
class LayersLibraryTest {

    @Test
    void theLayersLibraryLoadsWhereItIsBuilt() {
        assumeTrue(System.getProperty("os.name").equals("Linux")
                && System.getProperty("os.arch").equals("amd64"));
        assumeTrue(!"nd4j".equals(System.getProperty("contrastive.kernel")));
        assertTrue(NativeLayers.isLoaded(), NativeLibrary.fileName("contrastive_layers") + " did not load");
    }
}
