package dev.contrastive.core.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.kernel.NativeBuild;
import dev.contrastive.core.kernel.NativeLibrary;
import org.junit.jupiter.api.Test;

/**
 * The other tests of this package skip without the library; where the build compiles it, that is a
 * fault.
 */
class LayersLibraryTest {

    @Test
    void theLayersLibraryLoadsWhereItIsBuilt() {
        NativeBuild.assumeLibrariesBuilt();
        assertTrue(NativeLayers.isLoaded(), NativeLibrary.fileName("contrastive_layers") + " did not load");
    }
}
