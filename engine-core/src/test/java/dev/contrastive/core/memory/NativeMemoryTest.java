package dev.contrastive.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Poisoning makes memory that no one wrote read as NaN: the scopes' reused buffers and the arrays
 * {@link NativeMemory#uninitialized} hands out. Without it, a reused scope hands back what the
 * previous cycle left, which is exactly the fault poisoning exists to expose.
 */
class NativeMemoryTest {

    private final boolean poisoningBefore = NativeMemory.poisoning();

    @AfterEach
    void restore() {
        NativeMemory.setPoisoning(poisoningBefore);
    }

    @Test
    void poisonedScopeHandsOutNaNWhereThePreviousCycleLeftValues() {
        NativeMemory.setPoisoning(true);
        INDArray fresh = thirdCycle("test-poison-", DataType.FLOAT);
        assertTrue(allNaN(fresh), "reused workspace memory was not poisoned: " + fresh.getDouble(0));
    }

    @Test
    void withoutPoisoningAReusedScopeShowsThePreviousCycle() {
        NativeMemory.setPoisoning(false);
        double seen = thirdCycle("test-plain-", DataType.DOUBLE).getDouble(0);
        assertEquals(7.0, seen, "the unpoisoned scope should reuse the buffer as it was left");
    }

    /**
     * Three cycles of a fresh scope, each taking 1000 uninitialised values and writing 7s into them:
     * cycle 0 learns the size, cycle 1 writes 7s into the buffer that cycle 2 reuses. Returns a copy,
     * outside any workspace, of what cycle 2 was handed.
     */
    private static INDArray thirdCycle(String idPrefix, DataType type) {
        String id = idPrefix + System.nanoTime();
        INDArray found = null;
        for (int cycle = 0; cycle < 3; cycle++) {
            try (MemoryWorkspace ignored = NativeMemory.scope(id)) {
                INDArray fresh = Nd4j.createUninitialized(type, 1000);
                if (cycle == 2) {
                    found = fresh.detach();
                }
                fresh.assign(7);
            }
        }
        return found;
    }

    @Test
    void nestedReopenDoesNotPoisonTheOuterScopesArrays() {
        NativeMemory.setPoisoning(true);
        String id = "test-nested-" + System.nanoTime();
        for (int cycle = 0; cycle < 2; cycle++) {
            try (MemoryWorkspace outer = NativeMemory.scope(id)) {
                INDArray kept = Nd4j.createUninitialized(DataType.FLOAT, 16).assign(3);
                try (MemoryWorkspace inner = NativeMemory.scope(id)) {
                    Nd4j.createUninitialized(DataType.FLOAT, 16).assign(4);
                }
                assertEquals(3.0 * 16, kept.sumNumber().doubleValue(), "cycle " + cycle);
            }
        }
    }

    @Test
    void uninitializedArraysArePoisonedOnlyWhenAsked() {
        NativeMemory.setPoisoning(true);
        assertTrue(allNaN(NativeMemory.uninitialized(DataType.FLOAT, 4, 5)));
        assertTrue(allNaN(NativeMemory.uninitialized(DataType.DOUBLE, 3)));
        NativeMemory.setPoisoning(false);
        INDArray plain = NativeMemory.uninitialized(DataType.FLOAT, 4, 5);
        assertEquals(20, plain.length());
        assertFalse(NativeMemory.poisoning());
    }

    private static boolean allNaN(INDArray a) {
        for (double v : a.dup().data().asDouble()) {
            if (!Double.isNaN(v)) {
                return false;
            }
        }
        return true;
    }
}
