package dev.contrastive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Runs every loss through the {@code contrastive loss} command on inputs written by
 * scripts/loss_reference.py and has the script recompute them in float64: loss, parts, diagnostics
 * and every gradient must agree to 1e-4 relative. Skipped where python3 with NumPy is missing.
 */
class LossCrossCheckTest {

    /** Maven runs a module's tests in the module directory; the repository root is its parent. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    private static final Path SCRIPT = ROOT.resolve("scripts/loss_reference.py");

    @BeforeAll
    static void requirePythonWithNumpy() {
        assertTrue(Files.isRegularFile(SCRIPT), "no " + SCRIPT + "; tests must run from a module dir");
        boolean available;
        try {
            Process probe = new ProcessBuilder("python3", "-c", "import numpy").start();
            available = probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            available = false;
        }
        Assumptions.assumeTrue(available, "python3 with numpy is not available");
    }

    /**
     * name; type; options for make; loss options for both the command and check; command-only options
     * (tiling and seed change how, not what, the loss computes).
     */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("infonce defaults", "infonce", List.of(), List.of(), List.of()),
                Arguments.of(
                        "infonce raw float64 features, streamed tiles",
                        "infonce",
                        List.of("--dtype", "float64", "--batch", "7", "--dim", "5"),
                        List.of("--temperature", "0.5", "--no-normalize"),
                        List.of("--tile-rows", "4", "--tile-cols", "5")),
                Arguments.of("amdim defaults, sampled locations", "amdim", List.of(), List.of(), List.of()),
                Arguments.of(
                        "amdim given locations, (B, D, 1, 1) r1, clipped scores, small tiles",
                        "amdim",
                        List.of(
                                "--src-locs",
                                "--single-as-4d",
                                "--scale",
                                "3",
                                "--comparisons",
                                "r1:r5,r5:r5",
                                "--map-sizes",
                                "r1=1,r5=3"),
                        List.of("--comparisons", "r1:r5,r5:r5", "--tclip", "5", "--reg-weight", "0.1"),
                        List.of("--tile-rows", "2", "--tile-cols", "3")),
                Arguments.of(
                        "yadim 3x3 maps, sampled locations", "yadim", List.of(), List.of(), List.of("--seed", "3")),
                Arguments.of(
                        "yadim one image (no negatives)",
                        "yadim",
                        List.of("--batch", "1", "--size", "1"),
                        List.of(),
                        List.of()),
                Arguments.of("cpc defaults", "cpc", List.of(), List.of(), List.of()),
                Arguments.of(
                        "cpc other offsets, streamed tiles",
                        "cpc",
                        List.of("--steps-to-skip", "1", "--steps-to-predict", "2", "--height", "4"),
                        List.of("--steps-to-skip", "1", "--steps-to-predict", "2", "--emb-scale", "0.5"),
                        List.of("--tile-rows", "5", "--tile-cols", "7")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void javaLossMatchesTheFloat64Reference(
            String name,
            String type,
            List<String> makeOptions,
            List<String> lossOptions,
            List<String> commandOptions,
            @TempDir Path dir)
            throws Exception {
        Path in = dir.resolve("in");
        Path out = dir.resolve("out");

        List<String> make = new ArrayList<>(List.of("make", in.toString(), "--type", type, "--seed", "1"));
        make.addAll(makeOptions);
        Python made = python(make);
        assertEquals(0, made.exitCode(), made.output());

        List<String> command =
                new ArrayList<>(List.of("loss", "--type", type, "--in", in.toString(), "--out", out.toString()));
        command.addAll(lossOptions);
        command.addAll(commandOptions);
        StringWriter messages = new StringWriter();
        CommandLine cli = ContrastiveCli.commandLine();
        cli.setOut(new PrintWriter(messages, true));
        cli.setErr(new PrintWriter(messages, true));
        assertEquals(0, cli.execute(command.toArray(String[]::new)), messages.toString());

        List<String> check = new ArrayList<>(List.of("check", in.toString(), out.toString(), "--type", type));
        check.addAll(lossOptions);
        Python checked = python(check);
        assertEquals(0, checked.exitCode(), checked.output());
    }

    private record Python(int exitCode, String output) {}

    private static Python python(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("python3", SCRIPT.toString()));
        command.addAll(args);
        // Output goes to a file, not a pipe, so a hung script cannot block the read past the timeout.
        Path log = Files.createTempFile("loss_reference", ".log");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            boolean finished = process.waitFor(120, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly();
            }
            String output = String.join(" ", command) + "\n" + Files.readString(log);
            return new Python(finished ? process.exitValue() : -1, finished ? output : "timed out: " + output);
        } finally {
            Files.delete(log);
        }
    }
}
