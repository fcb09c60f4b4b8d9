package dev.contrastive.bench.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MicroBatchMemoryTest {

    private static final Split PLAIN = Split.plainStep();
    private static final Split MICRO = Split.parallel(1, 64);

    /** A point whose steps peak at {@code peaksMib}, resident {@code beforeMib} before step 1. */
    private static MemoryPoint.Result point(int global, Split split, long beforeMib, long... peaksMib) {
        List<Long> peaks = Arrays.stream(peaksMib).map(m -> m * 1024).boxed().toList();
        return new MemoryPoint.Result(global, split, beforeMib * 1024, peaks, peaks);
    }

    @Test
    void aResultLineRoundTrips() {
        MemoryPoint.Result r = point(4096, MICRO, 700, 1500, 1100, 1090);
        String line = r.format();
        assertEquals(
                "memory-point global=4096 split=r1m64 before_kib=716800 peak_kib=1536000,1126400,1116160"
                        + " after_kib=1536000,1126400,1116160",
                line);
        assertEquals(r, MemoryPoint.Result.parse(line));
        assertEquals(1100 * 1024, r.steadyPeakKib());
        assertEquals(1500 * 1024, r.runPeakKib());
    }

    @Test
    void aMalformedResultLineIsRefusedNamingTheField() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> MemoryPoint.Result.parse("memory-point global=1 split=plain before=1 peak_kib=1 after_kib=1"));
        assertTrue(e.getMessage().contains("before_kib"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> MemoryPoint.Result.parse(
                        "memory-point global=1 split=plain before_kib=1 peak_kib=1,2 after_kib=1"));
        assertTrue(e.getMessage().contains("one peak and one after value per step"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MemoryPoint.Result.parse("something else"));
    }

    @Test
    void extrapolatesTheSeriesLastTwoPointsBelowTheBatch() {
        List<MemoryPoint.Result> points = List.of(
                point(64, PLAIN, 700, 900, 800, 800),
                point(256, MICRO, 700, 900, 850, 850),
                point(256, PLAIN, 700, 1200, 1000, 1000),
                point(512, PLAIN, 700, 1500, 1400, 1400));
        // 1000 MiB at 256, 1400 at 512: 400 MiB per 256 images, so 3000 MiB at 1536.
        assertEquals(Optional.of(3000L * 1024), MicroBatchMemory.predictedPeakKib(points, PLAIN, 1536));
        assertEquals(Optional.empty(), MicroBatchMemory.predictedPeakKib(points, MICRO, 512));
    }

    @Test
    void theReportChecksTheLargestMicroBatchPointAgainstThePlainStepAtTheMicroBatch() {
        MicroBatchMemory.Settings settings = new MicroBatchMemory.Settings("512m", 12288, 64, 3);
        List<MemoryPoint.Result> points = List.of(
                point(64, PLAIN, 700, 1000, 800, 800),
                point(256, MICRO, 700, 900, 850, 850),
                point(4096, MICRO, 700, 1500, 1100, 1000));
        String md = MicroBatchMemory.render(
                points, List.of(new MicroBatchMemory.Skipped(4096, PLAIN, "predicted too much")), settings, "m.png");
        assertTrue(
                md.contains(
                        "| 4096 | DataParallel, 1 replica, micro-batches of 64 | 700 | 1500 | 1100, 1000 | 1100 | 400 |"),
                md);
        assertTrue(
                md.contains("| 4096 | plain step (Method.forwardBackward) | skipped: predicted too much | | | | |\n"
                        + "| 4096 | DataParallel, 1 replica, micro-batches of 64 | 700 |"),
                md);
        assertTrue(md.indexOf("| 64 | plain") < md.indexOf("| 256 | DataParallel"), md);
        assertTrue(
                md.contains("headline (steady-state) peak: global 4096 in micro-batches 1100 MiB / plain step 800 MiB"
                        + " = **1.38x**, within 1.5x"),
                md);
        assertTrue(
                md.contains("whole-run peak, step 1 included: global 4096 in micro-batches 1500 MiB / plain step"
                        + " 1000 MiB = **1.50x**, within 1.5x"),
                md);
        assertTrue(md.contains("400 MiB against 100 MiB, 4.00x"), md);
        assertTrue(md.contains("![peak resident memory against global batch](m.png)"), md);
    }

    @Test
    void withoutTheReferenceTheCheckSaysSo() {
        MicroBatchMemory.Settings settings = new MicroBatchMemory.Settings("512m", 12288, 64, 2);
        String md = MicroBatchMemory.render(List.of(point(256, MICRO, 700, 900, 850)), List.of(), settings, "m.png");
        assertTrue(md.contains("Not checked: the plain step at batch 64 was not measured."), md);
    }
}
