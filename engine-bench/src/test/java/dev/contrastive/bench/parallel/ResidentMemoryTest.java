package dev.contrastive.bench.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ResidentMemoryTest {

    private static final String STATUS =
            "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t  524288 kB\nVmRSS:\t  400000 kB\n" + "Threads:\t42\n";

    @Test
    void readsVmRssAndVmHwmInKib() {
        ResidentMemory m = ResidentMemory.parse(STATUS);
        assertEquals(400000, m.residentKib());
        assertEquals(524288, m.peakKib());
        assertEquals(512.0, ResidentMemory.mib(m.peakKib()), 1e-12);
    }

    @Test
    void aMissingOrMalformedFieldIsNamed() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> ResidentMemory.parse(STATUS.replace("VmHWM", "VmXXX")));
        assertTrue(e.getMessage().contains("no VmHWM line"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> ResidentMemory.parse(STATUS.replace("400000 kB", "400000 MB")));
        assertTrue(e.getMessage().contains("VmRSS must be '<n> kB'"), e.getMessage());
    }

    @Test
    void thisProcessHasAResidentSetBelowItsPeak() throws Exception {
        ResidentMemory m = ResidentMemory.read();
        assertTrue(m.residentKib() > 0 && m.residentKib() <= m.peakKib(), m.toString());
    }
}
