package dev.contrastive.bench.parallel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident set from {@code /proc/self/status}: VmRSS now and VmHWM, its peak, which
 * the kernel tracks exactly (a sampling thread can miss a short peak). Writing 5 to {@code
 * /proc/self/clear_refs} (Linux 4.0 on) resets VmHWM to the current RSS, so one process can measure
 * the peak of each step or phase in turn.
 *
 * @param residentKib VmRSS, KiB
 * @param peakKib VmHWM, KiB
 */
record ResidentMemory(long residentKib, long peakKib) {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    ResidentMemory {
        if (residentKib < 0 || peakKib < 0) {
            throw new IllegalArgumentException(
                    "residentMemory must be >= 0 KiB, got VmRSS " + residentKib + ", VmHWM " + peakKib);
        }
    }

    /** This process's VmRSS and VmHWM now. */
    static ResidentMemory read() throws IOException {
        return parse(Files.readString(STATUS));
    }

    /**
     * Resets VmHWM to the current RSS: the next {@link #read()}'s peak is the peak since this call.
     */
    static void resetPeak() throws IOException {
        Files.writeString(CLEAR_REFS, "5");
    }

    /**
     * VmRSS and VmHWM of a {@code /proc/<pid>/status} text.
     *
     * @throws IllegalArgumentException naming the field that is missing or not in kB
     */
    static ResidentMemory parse(String status) {
        return new ResidentMemory(field(status, "VmRSS"), field(status, "VmHWM"));
    }

    private static long field(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name + ":")) {
                String[] parts = line.substring(name.length() + 1).trim().split("\\s+");
                if (parts.length != 2 || !parts[1].equals("kB")) {
                    throw new IllegalArgumentException(
                            "/proc status field " + name + " must be '<n> kB', got '" + line + "'");
                }
                try {
                    return Long.parseLong(parts[0]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "/proc status field " + name + " is not a number: '" + line + "'", e);
                }
            }
        }
        throw new IllegalArgumentException("/proc status has no " + name + " line (not Linux, or a kernel without it)");
    }

    static double mib(long kib) {
        return kib / 1024.0;
    }
}
