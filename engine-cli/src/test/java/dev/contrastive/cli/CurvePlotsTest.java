package dev.contrastive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.testing.FileSizeLimit;
import dev.contrastive.models.train.metrics.CsvMetrics;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurvePlotsTest {

    @TempDir
    Path dir;

    @Test
    void writesLossAndAccuracyPngsOfTheDocumentedSize() throws IOException {
        Path csv = dir.resolve("metrics.csv");
        try (CsvMetrics m = CsvMetrics.open(csv, 0)) {
            for (int step = 0; step < 200; step++) {
                Map<String, Double> s = new LinkedHashMap<>();
                s.put("train/loss", 5.0 / (1 + step));
                s.put("train/loss_1t5", 3.0 / (1 + step));
                s.put("train/loss_5t5", 2.0 / (1 + step));
                s.put("train/nce_acc", step / 200.0);
                s.put("train/lr", 2e-4);
                if (step == 100) {
                    s.put("train/loss", Double.NaN);
                }
                if (step % 50 == 49) {
                    s.put("val/probe_acc", step / 400.0);
                }
                m.log(step, s);
            }
        }
        Path out = dir.resolve("plots");
        List<Path> written = CurvePlots.write(csv, out);
        assertEquals(List.of(out.resolve("loss.png"), out.resolve("accuracy.png")), written);
        for (Path png : written) {
            BufferedImage image = ImageIO.read(png.toFile());
            assertNotNull(image, png + " does not decode as an image");
            assertEquals(CurvePlots.WIDTH, image.getWidth());
            assertEquals(CurvePlots.HEIGHT, image.getHeight());
        }
        try (Stream<Path> files = Files.list(out)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")));
        }
    }

    @Test
    void chartWithoutDataIsNotWritten() throws IOException {
        Path csv = dir.resolve("metrics.csv");
        try (CsvMetrics m = CsvMetrics.open(csv, 0)) {
            m.log(0, Map.of("train/loss", 1.0, "train/lr", 1e-3));
            m.log(1, Map.of("train/loss", 0.5, "train/lr", 1e-3));
        }
        assertEquals(List.of(dir.resolve("loss.png")), CurvePlots.write(csv, dir));
        assertTrue(Files.notExists(dir.resolve("accuracy.png")));
    }

    @Test
    void aPngRefusedByAFileSizeLimitKeepsThePreviousOne() throws Exception {
        Path csv = dir.resolve("metrics.csv");
        Path next = dir.resolve("next.csv");
        try (CsvMetrics m = CsvMetrics.open(csv, 0);
                CsvMetrics n = CsvMetrics.open(next, 0)) {
            for (int step = 0; step < 200; step++) {
                m.log(step, Map.of("train/loss", 5.0 / (1 + step), "train/nce_acc", step / 200.0));
                n.log(step, Map.of("train/loss", 9.0 / (1 + step), "train/nce_acc", step / 300.0));
            }
        }
        Path out = Files.createDirectory(dir.resolve("plots"));
        CurvePlots.write(csv, out);
        byte[] loss = Files.readAllBytes(out.resolve("loss.png"));
        byte[] accuracy = Files.readAllBytes(out.resolve("accuracy.png"));

        // A PNG of 900 x 600 takes tens of KiB; the limit is 8 KiB.
        FileSizeLimit.Result r = FileSizeLimit.run(out, 8, DrawMain.class, next.toString(), out.toString());

        assertEquals(FileSizeLimit.EXIT_IO, r.exitCode(), r.output());
        assertTrue(
                r.output()
                        .startsWith("cannot write "
                                + out.resolve("loss.png")
                                + ": File too large"
                                + " (writing the temporary file"),
                r.output());
        assertArrayEquals(loss, Files.readAllBytes(out.resolve("loss.png")));
        assertArrayEquals(accuracy, Files.readAllBytes(out.resolve("accuracy.png")));
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(
                    List.of("accuracy.png", "loss.png"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary file, no hs_err_pid*.log");
        }
    }

    /** The child of the file-size test: draws the curves of a CSV into a directory. */
    public static final class DrawMain {
        public static void main(String[] args) {
            try {
                CurvePlots.write(Path.of(args[0]), Path.of(args[1]));
            } catch (IOException e) {
                System.out.println(e.getMessage());
                System.exit(FileSizeLimit.EXIT_IO);
            }
        }
    }
}
