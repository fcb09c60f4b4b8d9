package dev.contrastive.models.train.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.testing.FileSizeLimit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvMetricsTest {

    @TempDir
    Path dir;

    static Map<String, Double> row(double loss, double acc) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train/loss", loss);
        m.put("train/nce_acc", acc);
        return m;
    }

    /** A closed metrics.csv with the rows of steps 0 to {@code steps - 1}, loss 10 - step. */
    private Path csvWithSteps(int steps) throws IOException {
        Path csv = dir.resolve("metrics.csv");
        try (CsvMetrics m = CsvMetrics.open(csv, 0)) {
            for (int step = 0; step < steps; step++) {
                m.log(step, row(10 - step, step / 10.0));
            }
        }
        return csv;
    }

    @Test
    void roundTripIsBitExactAndKeepsColumnOrder() throws IOException {
        Path csv = dir.resolve("run/metrics.csv");
        double[] losses = {2.302585092994046, 0.1 + 0.2, -0.0, Double.MIN_VALUE, 1e300, Double.NaN};
        try (CsvMetrics m = CsvMetrics.open(csv, 0)) {
            for (int i = 0; i < losses.length; i++) {
                m.log(i, row(losses[i], i / 7.0));
            }
        }
        assertEquals("step,train/loss,train/nce_acc", Files.readAllLines(csv).get(0));
        MetricsTable t = CsvMetrics.read(csv);
        assertEquals(List.of("train/loss", "train/nce_acc"), t.columns());
        assertEquals(losses.length, t.rows().size());
        for (int i = 0; i < losses.length; i++) {
            assertEquals(i, t.rows().get(i).step());
            assertEquals(
                    Double.doubleToRawLongBits(losses[i]),
                    Double.doubleToRawLongBits(t.rows().get(i).values().get("train/loss")));
            assertEquals(i / 7.0, t.rows().get(i).values().get("train/nce_acc"));
        }
    }

    @Test
    void rowsAreOnDiskBeforeCloseSoAKilledRunKeepsThem() throws IOException {
        Path csv = dir.resolve("metrics.csv");
        CsvMetrics m = CsvMetrics.open(csv, 0);
        m.log(0, row(1.0, 0.5));
        m.log(1, row(0.9, 0.6));
        // Read through a separate handle while the writer is still open and never closed.
        assertEquals(2, CsvMetrics.read(csv).rows().size());
        m.close();
    }

    @Test
    void resumeDropsRowsAtAndAfterTheResumeStepThenAppends() throws IOException {
        Path csv = csvWithSteps(10);
        // Checkpoint at step 6; the killed run had logged through step 9.
        try (CsvMetrics m = CsvMetrics.open(csv, 6)) {
            m.log(6, row(-6, 0.66));
            m.log(7, row(-7, 0.77));
        }
        MetricsTable t = CsvMetrics.read(csv);
        assertEquals(8, t.rows().size());
        for (int step = 0; step < 8; step++) {
            assertEquals(step, t.rows().get(step).step());
        }
        assertEquals(5.0, t.rows().get(5).values().get("train/loss"));
        assertEquals(-6.0, t.rows().get(6).values().get("train/loss"));
        assertEquals(0.77, t.rows().get(7).values().get("train/nce_acc"));
        assertEquals(1, countHeaderLines(csv));
    }

    @Test
    void freshRunOverAnOldFileStartsEmpty() throws IOException {
        Path csv = dir.resolve("metrics.csv");
        try (CsvMetrics m = CsvMetrics.open(csv, 0)) {
            m.log(0, row(1, 0));
            m.log(1, row(2, 0));
        }
        try (CsvMetrics m = CsvMetrics.open(csv, 0)) {
            m.log(0, row(3, 0));
        }
        MetricsTable t = CsvMetrics.read(csv);
        assertEquals(1, t.rows().size());
        assertEquals(3.0, t.rows().get(0).values().get("train/loss"));
    }

    @Test
    void newNameRewritesTheHeaderAndLeavesEarlierCellsEmpty() throws IOException {
        Path csv = dir.resolve("metrics.csv");
        try (CsvMetrics m = CsvMetrics.open(csv, 0)) {
            m.log(0, row(1.0, 0.1));
            m.log(1, Map.of("train/loss", 0.9, "val/probe_acc", 0.4));
            m.log(2, row(0.8, 0.3));
        }
        List<String> lines = Files.readAllLines(csv);
        assertEquals("step,train/loss,train/nce_acc,val/probe_acc", lines.get(0));
        assertEquals("0,1.0,0.1,", lines.get(1));
        assertEquals("1,0.9,,0.4", lines.get(2));
        assertEquals("2,0.8,0.3,", lines.get(3));
        MetricsTable t = CsvMetrics.read(csv);
        List<double[]> probe = t.series("val/probe_acc");
        assertEquals(1, probe.size());
        assertEquals(1.0, probe.get(0)[0]);
        assertEquals(0.4, probe.get(0)[1]);
        assertTrue(Files.notExists(dir.resolve("metrics.csv.tmp")));
    }

    @Test
    void badNamesAndValuesAreRejectedWithTheName() throws IOException {
        try (CsvMetrics m = CsvMetrics.open(dir.resolve("metrics.csv"), 0)) {
            IllegalArgumentException comma =
                    assertThrows(IllegalArgumentException.class, () -> m.log(0, Map.of("a,b", 1.0)));
            assertTrue(comma.getMessage().contains("a,b"));
            assertThrows(IllegalArgumentException.class, () -> m.log(0, Map.of("step", 1.0)));
            Map<String, Double> nullValue = new LinkedHashMap<>();
            nullValue.put("loss", null);
            NullPointerException npe = assertThrows(NullPointerException.class, () -> m.log(0, nullValue));
            assertTrue(npe.getMessage().contains("loss"));
        }
    }

    @Test
    void malformedFileIsReportedWithItsLine() throws IOException {
        Path csv = dir.resolve("metrics.csv");
        Files.writeString(csv, "step,loss\n0,1.0\n1,oops\n", StandardCharsets.UTF_8);
        IOException e = assertThrows(IOException.class, () -> CsvMetrics.open(csv, 5));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    }

    @Test
    void aRowCutShortByAFullDiskIsDroppedOnResume() throws IOException {
        Path csv = csvWithSteps(5);
        // The append of step 5 got two bytes onto the disk.
        Files.writeString(csv, "5,", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (CsvMetrics m = CsvMetrics.open(csv, 5)) {
            m.log(5, row(-5, 0.55));
        }
        MetricsTable t = CsvMetrics.read(csv);
        assertEquals(6, t.rows().size());
        assertEquals(-5.0, t.rows().get(5).values().get("train/loss"));
    }

    @Test
    void aRewriteRefusedByAFileSizeLimitKeepsTheOldFile() throws Exception {
        Path csv = dir.resolve("metrics.csv");
        try (CsvMetrics m = CsvMetrics.open(csv, 0)) {
            for (int step = 0; step < 3000; step++) {
                m.log(step, row(1.0 / (step + 1), step / 3000.0));
            }
        }
        byte[] before = Files.readAllBytes(csv);
        // Resuming at step 2000 rewrites ~60 KB; the limit is 8 KiB.
        FileSizeLimit.Result r = FileSizeLimit.run(dir, 8, ResumeMain.class, csv.toString(), "2000");
        assertEquals(FileSizeLimit.EXIT_IO, r.exitCode(), r.output());
        assertTrue(
                r.output().startsWith("cannot write " + csv + ": File too large (writing the" + " temporary file"),
                r.output());
        assertArrayEquals(before, Files.readAllBytes(csv));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(csv), files.toList(), "no temporary file, no hs_err_pid*.log");
        }
    }

    /** The child of the file-size test: opens the metrics to resume at a step. */
    public static final class ResumeMain {
        public static void main(String[] args) {
            try (CsvMetrics m = CsvMetrics.open(Path.of(args[0]), Long.parseLong(args[1]))) {
                m.log(Long.parseLong(args[1]), row(0, 0));
            } catch (IOException e) {
                System.out.println(e.getMessage());
                System.exit(FileSizeLimit.EXIT_IO);
            }
        }
    }

    private static long countHeaderLines(Path csv) throws IOException {
        return Files.readAllLines(csv).stream()
                .filter(l -> l.startsWith("step,"))
                .count();
    }
}
