package dev.contrastive.models.train;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports a run's progress as text lines: the start, a line at most every {@code every} of wall
 * time with the step, loss, accuracies, steps/s and the time left, every validation, and the end.
 * By default the lines are SLF4J log lines (logger {@code contrastive.train}), which suits batch
 * jobs and applications with logging set up; {@link #to} sends them anywhere else, for example
 * {@code System.out::println} in a notebook or a program without an SLF4J provider.
 */
public final class LoggingListener implements TrainingListener {

    private static final Logger LOG = LoggerFactory.getLogger("contrastive.train");

    private final Consumer<String> lines;
    private final Duration every;
    private long total;
    private long firstStep;
    private long startedNanos;
    private long lastLogNanos;

    /**
     * @param every the least time between two step lines; zero logs every step
     */
    public LoggingListener(Duration every) {
        this(LOG::info, every);
    }

    private LoggingListener(Consumer<String> lines, Duration every) {
        if (lines == null) {
            throw new IllegalArgumentException("loggingListener.lines must not be null");
        }
        if (every == null || every.isNegative()) {
            throw new IllegalArgumentException("loggingListener.every must be >= 0, got " + every);
        }
        this.lines = lines;
        this.every = every;
    }

    /**
     * The same lines, handed to {@code lines} instead of SLF4J.
     *
     * @param every the least time between two step lines; zero reports every step
     */
    public static LoggingListener to(Consumer<String> lines, Duration every) {
        return new LoggingListener(lines, every);
    }

    @Override
    public void onStart(RunStart start) {
        total = start.total();
        firstStep = start.completed();
        startedNanos = System.nanoTime();
        lastLogNanos = startedNanos;
        lines.accept(start.mode().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                + ": steps "
                + (start.completed() + 1)
                + "-"
                + start.total()
                + start.runDirectory().map(d -> " in " + d).orElse(""));
    }

    @Override
    public void onStep(StepReport report) {
        StepMetrics m = report.metrics();
        long now = System.nanoTime();
        if (now - lastLogNanos >= every.toNanos() || m.step() == total) {
            lastLogNanos = now;
            double rate = (m.step() - firstStep) / ((now - startedNanos) / 1e9);
            long etaSeconds = rate > 0 ? Math.round((total - m.step()) / rate) : -1;
            lines.accept(String.format(
                    Locale.ROOT,
                    "step %d/%d  %s  %.2f steps/s  ETA %s",
                    m.step(),
                    total,
                    summary(m),
                    rate,
                    etaSeconds < 0
                            ? "?"
                            : Duration.ofSeconds(etaSeconds)
                                    .toString()
                                    .substring(2)
                                    .toLowerCase(Locale.ROOT)));
        }
        report.validation().ifPresent(v -> lines.accept(validationLine(v)));
    }

    @Override
    public void onEnd(TrainingResult result) {
        String how = switch (result.stop()) {
            case COMPLETED -> "done";
            case EARLY_STOPPING -> "stopped early";
            case TIME_LIMIT -> "time limit reached";
            case REQUESTED -> "stopped on request";
        };
        lines.accept(how
                + " at step "
                + result.steps()
                + result.checkpoint().map(c -> "; weights in " + c).orElse(""));
    }

    /** Loss and accuracies of one step, for a progress line. */
    public static String summary(StepMetrics m) {
        return scores("%.3f", m.loss(), m.accuracy(), m.onlineAccuracy());
    }

    /** One validation, for a progress line. */
    public static String validationLine(ValidationMetrics v) {
        return String.format(
                Locale.ROOT,
                "validation after step %d: %s  (%d images)",
                v.step(),
                scores("%.4f", v.loss(), v.accuracy(), v.onlineAccuracy()),
                v.images());
    }

    /**
     * "loss", "nce_acc" and, when a probe scored (not NaN), "online_acc", the accuracies in {@code
     * accuracyFormat}.
     */
    private static String scores(String accuracyFormat, double loss, double accuracy, double onlineAccuracy) {
        String scores = String.format(Locale.ROOT, "loss %.4f  nce_acc " + accuracyFormat, loss, accuracy);
        return Double.isNaN(onlineAccuracy)
                ? scores
                : scores + String.format(Locale.ROOT, "  online_acc " + accuracyFormat, onlineAccuracy);
    }
}
