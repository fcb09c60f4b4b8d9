package dev.contrastive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** Asserts exit code 2, a refusal, with {@code expected} in what stderr says. */
    public void assertRefused(String expected) {
        assertEquals(2, code, out + err);
        assertTrue(err.contains(expected), err);
    }

    /** Asserts exit code 2, a refusal, with one line on stderr that holds {@code expected}. */
    public void assertRefusedInOneLine(String expected) {
        assertEquals(2, code, out + err);
        assertTrue(line().contains(expected), err);
    }
}
