package dev.contrastive.cli.views;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.Image;
import dev.contrastive.augment.data.InMemoryDataset;
import dev.contrastive.augment.fixtures.TestDatasets;
import dev.contrastive.cli.CliRun;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ViewsCommandTest {

    @TempDir
    Path dir;

    private final Map<String, InMemoryDataset> known = Map.of(
            "gray", TestDatasets.random(16, 1, 28, 28, 10, 1),
            "color", TestDatasets.random(40, 3, 32, 32, 10, 2));

    private final Function<String, Dataset> resolver = name -> {
        InMemoryDataset d = known.get(name);
        if (d == null) {
            throw new IllegalArgumentException("no dataset called " + name);
        }
        return d;
    };

    private CliRun run(String... args) {
        return CliRun.of(new CommandLine(new ViewsCommand(resolver)), args);
    }

    @Test
    void writesAGridOfOriginalAndBothViewsForSixteenImages() throws IOException {
        Path png = dir.resolve("sub/views.png");
        CliRun run = run("--data", "gray", "--preset", "fashion-mnist", "--out", png.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("16 images of gray"), run.out());
        BufferedImage grid = ImageIO.read(png.toFile());
        // Views are 32 x 32 (padded): tiles enlarged 3 times to 96; 4 images a line, 4 lines.
        int cell = 96;
        assertEquals(16 + 4 * (3 * cell + 2 * 4 + 16), grid.getWidth());
        assertEquals(16 + 4 * (cell + 16), grid.getHeight());
        // All 16 images of a 16-image set are shown in order: image 0's original is the first tile.
        Image first = known.get("gray").get(0);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int v = first.pixel(0, y, x);
                assertEquals((v << 16) | (v << 8) | v, grid.getRGB(16 + 3 * x + 1, 16 + 3 * y + 1) & 0xFFFFFF);
            }
        }
        assertFalse(Files.list(png.getParent()).anyMatch(p -> p.toString().endsWith(".tmp")));
    }

    @Test
    void theSameSeedWritesTheSameGridAndAnotherSeedAnotherOne() throws IOException {
        Path a = dir.resolve("a.png");
        Path b = dir.resolve("b.png");
        Path c = dir.resolve("c.png");
        assertEquals(
                0,
                run("--data", "color", "--preset", "amdim-cifar", "--out", a.toString(), "--seed", "5")
                        .code());
        assertEquals(
                0,
                run("--data", "color", "--preset", "amdim-cifar", "--out", b.toString(), "--seed", "5")
                        .code());
        assertEquals(
                0,
                run("--data", "color", "--preset", "amdim-cifar", "--out", c.toString(), "--seed", "6")
                        .code());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertFalse(Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(c)));
    }

    @Test
    void patchPresetsShowThePatchGrid() throws IOException {
        Path png = dir.resolve("cpc.png");
        CliRun run = run("--data", "color", "--preset", "cpc-cifar", "--out", png.toString(), "--images", "3");
        assertEquals(0, run.code(), run.err());
        BufferedImage grid = ImageIO.read(png.toFile());
        // 7 x 7 patches of 8 with 1-pixel gaps: 62 pixels, enlarged twice to 124; 3 images on a line.
        int cell = 124;
        assertEquals(16 + 3 * (3 * cell + 2 * 4 + 16), grid.getWidth());
        assertEquals(16 + cell + 16, grid.getHeight());
    }

    @Test
    void badArgumentsAreOneClearLineAndExitCodeTwo() {
        CliRun unknown = run(
                "--data",
                "gray",
                "--preset",
                "simclr",
                "--out",
                dir.resolve("x.png").toString());
        unknown.assertRefused("--preset must be one of amdim-cifar");

        CliRun misfit = run("--data", "gray", "--preset", "amdim-cifar");
        misfit.assertRefused("--preset amdim-cifar does not fit --data 'gray' (1 x 28 x 28"
                + " images): normalize.mean and normalize.std have 3 channels");

        CliRun missing = run("--data", "nowhere");
        missing.assertRefused("--data 'nowhere' cannot be opened: no dataset called");
    }

    @Test
    void choosesDistinctIndicesReproducibly() {
        int[] chosen = ViewsCommand.choose(1000, 16, 3);
        assertEquals(16, Arrays.stream(chosen).distinct().count());
        assertTrue(Arrays.stream(chosen).allMatch(i -> i >= 0 && i < 1000));
        assertArrayEquals(chosen, ViewsCommand.choose(1000, 16, 3));
        assertFalse(Arrays.equals(chosen, ViewsCommand.choose(1000, 16, 4)));
    }
}
