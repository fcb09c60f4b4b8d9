package dev.contrastive.bench.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SplitTest {

    @Test
    void parsesEveryFormAndWritesItBack() {
        assertEquals(Split.plainStep(), Split.parse("plain"));
        assertEquals(Split.parallel(2, 0), Split.parse("r2"));
        assertEquals(Split.parallel(1, 16), Split.parse("r1m16"));
        for (String text : new String[] {"plain", "r2", "r1m16", "r8m64", "r1"}) {
            assertEquals(text, Split.parse(text).label());
        }
        assertEquals(
                "DataParallel, 1 replica, micro-batches of 16",
                Split.parse("r1m16").describe());
        assertEquals(
                "DataParallel, 2 replicas, no micro-batches", Split.parse("r2").describe());
    }

    @Test
    void refusesMalformedAndOutOfRangeSplitsNamingTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Split.parse("2x16"));
        assertTrue(e.getMessage().contains("r<replicas>m<microBatch>"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Split.parse("r0"));
        assertEquals("split.replicas must be in [1, 64], got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Split.parse("r99999999999"));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Split(2, 0, true));
        assertTrue(e.getMessage().startsWith("split.plain"), e.getMessage());
    }
}
