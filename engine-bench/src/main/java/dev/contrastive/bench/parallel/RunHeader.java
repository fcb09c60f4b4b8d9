package dev.contrastive.bench.parallel;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The lines every report of this package starts with: the exact command, the date, the CPU as
 * {@code lscpu} names it (passed in by the script), the native thread environment, the JVM's
 * arguments and the load average when the run started.
 *
 * @param command the script invocation that produced the report
 * @param cpu lscpu's "Model name"
 * @param started when the run started
 * @param loadAtStart the 1-minute load average then
 */
record RunHeader(String command, String cpu, Instant started, double loadAtStart) {

    RunHeader {
        if (command == null || command.isBlank()) {
            throw new IllegalArgumentException("runHeader.command must not be blank");
        }
        if (cpu == null || cpu.isBlank()) {
            throw new IllegalArgumentException("runHeader.cpu must not be blank (lscpu's Model name)");
        }
        if (started == null) {
            throw new IllegalArgumentException("runHeader.started must not be null");
        }
    }

    /**
     * A header for a run starting now: call it before measuring, so the load is the one the run met.
     */
    static RunHeader startingNow(String command, String cpu) {
        return new RunHeader(
                command,
                cpu,
                Instant.now(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    String markdown(String title) {
        StringBuilder env = new StringBuilder();
        for (String name : List.of("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_WAIT_POLICY")) {
            String v = System.getenv(name);
            env.append(env.isEmpty() ? "" : ", ").append(name).append('=').append(v == null ? "unset" : v);
        }
        return "# "
                + title
                + "\n\n"
                + "- Command: `"
                + command
                + "`\n"
                + "- Date (UTC): "
                + started.toString().substring(0, 19)
                + "\n"
                + "- CPU (lscpu model name): "
                + cpu
                + ", "
                + Runtime.getRuntime().availableProcessors()
                + " logical CPUs ("
                + env
                + ")\n"
                + "- JVM: "
                + System.getProperty("java.vm.name")
                + " "
                + System.getProperty("java.vm.version")
                + ", `"
                + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())
                + "`\n"
                + String.format(Locale.ROOT, "- Load average (1 min) at start: %.2f%n", loadAtStart);
    }
}
