package dev.contrastive.cli;

import dev.contrastive.models.method.TrainingDivergedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * What every subcommand's failure becomes: one line on stderr naming the command and what went
 * wrong, and an exit code a batch script can act on. The usage text is printed only for a syntax
 * error in the arguments (picocli's own parameter exceptions), never for a bad value, file or data
 * set.
 *
 * <ul>
 *   <li>0: done.
 *   <li>1: training diverged (a NaN or infinity; the last checkpoint is the last good one), or a
 *       fault of the engine itself, which the message says is one and asks to be reported, with the
 *       stack trace.
 *   <li>2: a mistake or a problem of the environment the user can fix: a bad option value, a file
 *       or data set that is missing, malformed or does not fit, a run directory in use or of
 *       another run, a full disk or a directory that cannot be written.
 *   <li>130 and 143: stopped by SIGINT or SIGTERM, after a last checkpoint (train).
 * </ul>
 */
final class ExitCodes {

    static final int DIVERGED_OR_FAULT = 1;
    static final int BAD_INPUT = 2;

    private ExitCodes() {}

    /**
     * Runs a command's work, turning its failures into the message and exit code above; a syntax
     * error in the arguments (a picocli ParameterException) is left to picocli, which prints the
     * usage text.
     */
    static int run(CommandSpec spec, Callable<Integer> work) {
        try {
            return work.call();
        } catch (ParameterException syntax) {
            throw syntax;
        } catch (Exception e) {
            return handle(e, spec.commandLine(), null);
        }
    }

    static int handle(Exception e, CommandLine command, ParseResult parsed) {
        PrintWriter err = command.getErr();
        String name = command.getCommandName();
        if (e instanceof TrainingDivergedException diverged) {
            err.println(name + ": " + diverged.getMessage());
            return DIVERGED_OR_FAULT;
        }
        Throwable userProblem = userProblem(e);
        if (userProblem != null) {
            err.println(name + ": " + message(e, userProblem));
            return BAD_INPUT;
        }
        err.println(name + ": internal error of the engine, please report it with this trace: " + e);
        e.printStackTrace(err);
        return DIVERGED_OR_FAULT;
    }

    /**
     * The bad input or environment problem at the root of {@code e}, or null for an engine fault: an
     * IllegalArgumentException (a value, file or data set that does not fit, thrown where it is
     * checked) or an I/O error, anywhere in the cause chain (a reader's error reaches the trainer
     * wrapped by the augmentation workers).
     */
    private static Throwable userProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException
                    || t instanceof IOException
                    || t instanceof UncheckedIOException) {
                return t;
            }
        }
        return null;
    }

    /**
     * The outer message when it already says more than its cause (it names the batch or the option).
     */
    private static String message(Throwable outer, Throwable cause) {
        String m = outer.getMessage();
        return m != null && cause.getMessage() != null && m.contains(cause.getMessage()) ? m : cause.getMessage();
    }
}
