package dev.contrastive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.EngineVersion;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ContrastiveCliTest {

    @TempDir
    Path dir;

    @Test
    void viewsWritesAGridOfTheEmbeddedFashionMnist() throws Exception {
        Path out = dir.resolve("views.png");
        int code = ContrastiveCli.commandLine()
                .execute(
                        "views",
                        "--data",
                        "fashion-mnist",
                        "--preset",
                        "fashion-mnist",
                        "--out",
                        out.toString(),
                        "--seed",
                        "3");
        assertEquals(0, code);
        BufferedImage grid = ImageIO.read(out.toFile());
        assertTrue(grid.getWidth() > 32 * 3 && grid.getHeight() > 32, grid.getWidth() + "x" + grid.getHeight());
    }

    @Test
    void versionPrintsTheEngineVersion() {
        StringWriter out = new StringWriter();
        CommandLine cli = ContrastiveCli.commandLine();
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("--version"));
        assertEquals("contrastive " + EngineVersion.get(), out.toString().strip());
        assertTrue(EngineVersion.get().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), EngineVersion.get());
    }

    @Test
    void viewsRejectsAnUnknownDatasetWithExitCode2() {
        int code = ContrastiveCli.commandLine()
                .execute(
                        "views",
                        "--data",
                        dir.resolve("missing").toString(),
                        "--out",
                        dir.resolve("v.png").toString());
        assertEquals(2, code);
    }
}
