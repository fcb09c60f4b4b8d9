package dev.contrastive.models.train.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads our event file with TensorBoard's own loader, the one behind {@code tensorboard --logdir}.
 * Skipped where {@code python3} on the PATH cannot import the {@code tensorboard} package.
 */
class TensorBoardReadBackTest {

    @TempDir
    Path dir;

    private static final String SCRIPT = String.join(
            "\n",
            "import sys",
            "from tensorboard.backend.event_processing.event_accumulator import EventAccumulator",
            "ea = EventAccumulator(sys.argv[1])",
            "ea.Reload()",
            "for tag in sorted(ea.Tags()['scalars']):",
            "    for e in ea.Scalars(tag):",
            "        print(tag, e.step, repr(e.value))");

    record Run(int exitCode, String output) {}

    static Run python(String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(args).toArray(String[]::new))
                .redirectErrorStream(true)
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("python3 did not finish within 120 s");
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    static boolean tensorboardAvailable() {
        try {
            return python("python3", "-c", "import tensorboard").exitCode() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void tensorboardLoadsOurScalars() throws IOException, InterruptedException {
        assumeTrue(tensorboardAvailable(), "python3 with the tensorboard package is not installed");
        try (TensorBoardWriter tb = new TensorBoardWriter(dir)) {
            for (int step = 0; step < 3; step++) {
                Map<String, Double> s = new LinkedHashMap<>();
                s.put("train/loss", 2.0 - 0.3 * step);
                s.put("train/nce_acc", 0.1 * step);
                tb.log(step, s);
            }
        }
        Run run = python("python3", "-c", SCRIPT, dir.toString());
        assertEquals(0, run.exitCode(), run.output());
        List<String> lines = run.output().strip().lines().toList();
        assertEquals(6, lines.size(), run.output());
        for (int step = 0; step < 3; step++) {
            assertScalar(lines.get(step), "train/loss", step, 2.0 - 0.3 * step);
            assertScalar(lines.get(3 + step), "train/nce_acc", step, 0.1 * step);
        }
    }

    private static void assertScalar(String line, String tag, long step, double logged) {
        String[] f = line.split(" ");
        assertEquals(3, f.length, line);
        assertEquals(tag, f[0]);
        assertEquals(step, Long.parseLong(f[1]));
        // TensorBoard stores simple_value as float32 and widens it back to a Python float.
        assertTrue(Double.parseDouble(f[2]) == (double) (float) logged, line);
    }
}
