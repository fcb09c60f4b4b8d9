package dev.contrastive.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class NativeLibraryTest {

    private static final String MISSING = "contrastive_no_such_library";

    @Test
    void nd4jModeLoadsNothing() {
        assertFalse(NativeLibrary.load(NativeLibraryTest.class, MISSING, "nothing", "nd4j"));
    }

    @Test
    void autoModeFallsBackWhenTheLibraryIsMissing() {
        assertFalse(NativeLibrary.load(NativeLibraryTest.class, MISSING, "nothing", "auto"));
    }

    @Test
    void nativeModeFailsNamingTheLibrary() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> NativeLibrary.load(NativeLibraryTest.class, MISSING, "nothing", "native"));
        assertTrue(e.getMessage().contains(NativeLibrary.fileName(MISSING)), e.getMessage());
    }

    @Test
    void theLossLibraryLoadsWhereItIsBuilt() {
        NativeBuild.assumeLibrariesBuilt();
        assertTrue(NativeTiles.isLoaded(), NativeLibrary.fileName("contrastive_loss") + " did not load");
    }

    @Test
    void aRowViewIsAddressedAtItsFirstElement() {
        INDArray base = Nd4j.arange(12).castTo(DataType.FLOAT).reshape(4, 3);
        INDArray rows = base.get(NDArrayIndex.interval(2, 4), NDArrayIndex.all());
        assertEquals(NativeLibrary.address(base) + 6L * Float.BYTES, NativeLibrary.address(rows));
    }
}
