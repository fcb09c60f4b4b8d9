package dev.contrastive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** What one in-process run of a command printed and returned, for the commands' tests. */
public record CliRun(int code, String out, String err) {

    /** Runs {@code args} on {@code commandLine}, capturing its output and error streams. */
    public static CliRun of(CommandLine commandLine, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Runs {@code args} on the {@code contrastive} command line. */
    public static CliRun contrastive(String... args) {
        return of(ContrastiveCli.commandLine(), args);
    }

    /** The one line a refused command prints. */
    public String line() {
        assertEquals(1, err.strip().lines().count(), "one line on stderr, no usage text:\n" + err);
        return err.strip();
    }
}
