package dev.contrastive.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the test class path in a child JVM under {@code ulimit -f}: a write past the
 * limit fails with EFBIG ("File too large"), a real write error like a full disk's, with no root
 * and no mount needed.
 */
public final class FileSizeLimit {

    /** Exit code of the test mains below when they catch an IOException. */
    public static final int EXIT_IO = 3;

    /** What the child returned and printed (stdout and stderr together). */
    public record Result(int exitCode, String output) {}

    private FileSizeLimit() {}

    /**
     * The command line that runs {@code main} with {@code args} in a child JVM on this JVM's class
     * path, fit to run under a file-size limit.
     */
    public static List<String> javaCommand(Class<?> main, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // No perf data file, and no copy of the native tile kernel to a temporary file: the
                // limit would refuse both, which is not what the tests are about.
                "-XX:-UsePerfData",
                "-Dcontrastive.kernel=nd4j",
                "-cp",
                System.getProperty("java.class.path"),
                main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Runs {@code main} with {@code args} in {@code workDir} (where a crashing JVM would leave its
     * hs_err_pid*.log) with files limited to {@code kib} KiB.
     */
    public static Result run(Path workDir, int kib, Class<?> main, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", "-c", "ulimit -f " + kib + " && exec \"$@\"", "bash"));
        command.addAll(javaCommand(main, args));
        Process child = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!child.waitFor(5, TimeUnit.MINUTES)) {
            child.destroyForcibly();
            throw new AssertionError("the child did not end within 5 minutes:\n" + output);
        }
        return new Result(child.exitValue(), output);
    }
}
