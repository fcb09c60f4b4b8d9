package dev.contrastive.cli;

import dev.contrastive.models.train.LoggingListener;
import dev.contrastive.models.train.RunStart;
import dev.contrastive.models.train.StepReport;
import dev.contrastive.models.train.TrainingListener;
import dev.contrastive.models.train.TrainingResult;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar with ETA and steps/s for a run on a terminal; its extra message shows the last
 * step's loss and accuracies, or the last validation. Batch jobs use {@link LoggingListener}
 * instead ({@link #forConsole()} picks), so a job log stays readable rather than filling with
 * carriage returns.
 */
public final class TrainingProgress implements TrainingListener {

    private ProgressBar progressBar;

    private TrainingProgress() {}

    /** A bar when standard output is a terminal, else a log line every 10 s. */
    public static TrainingListener forConsole() {
        return System.console() != null ? new TrainingProgress() : new LoggingListener(Duration.ofSeconds(10));
    }

    @Override
    public void onStart(RunStart start) {
        progressBar = new ProgressBarBuilder()
                .setTaskName("train")
                .setInitialMax(start.total())
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500)
                .showSpeed()
                .setSpeedUnit(ChronoUnit.SECONDS)
                .setUnit(" steps", 1)
                .startsFrom(start.completed(), Duration.ZERO)
                .build();
    }

    @Override
    public void onStep(StepReport report) {
        progressBar.stepTo(report.metrics().step());
        progressBar.setExtraMessage(report.validation()
                .map(LoggingListener::validationLine)
                .orElse(LoggingListener.summary(report.metrics())));
    }

    @Override
    public void onEnd(TrainingResult result) {
        close();
    }

    @Override
    public void close() {
        if (progressBar != null) {
            progressBar.close();
            progressBar = null;
        }
    }
}
