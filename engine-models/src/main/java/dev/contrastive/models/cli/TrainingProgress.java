package dev.contrastive.models.cli;

import dev.contrastive.models.train.StepMetrics;
import dev.contrastive.models.train.TrainingListener;
import dev.contrastive.models.train.TrainingResult;
import dev.contrastive.models.train.ValidationMetrics;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows a training run's progress: a progress bar with ETA and steps/s when the process has a
 * terminal, and otherwise (batch jobs, CI, redirected output) a plain log line at most every
 * {@code logEvery}, so a job log stays readable rather than filling with carriage returns.
 */
final class TrainingProgress implements TrainingListener {

  private static final Logger LOG = LoggerFactory.getLogger("contrastive.train");

  private final boolean bar;
  private final Duration logEvery;
  private ProgressBar progressBar;
  private long total;
  private long firstStep;
  private long startedNanos;
  private long lastLogNanos;

  /**
   * @param bar draw a progress bar (only sensible on a terminal)
   * @param logEvery the least time between two plain log lines when there is no bar
   */
  TrainingProgress(boolean bar, Duration logEvery) {
    this.bar = bar;
    this.logEvery = logEvery;
  }

  /** A bar when standard output is a terminal, else a log line every 10 s. */
  static TrainingProgress forConsole() {
    return new TrainingProgress(System.console() != null, Duration.ofSeconds(10));
  }

  @Override
  public void onStart(long completed, long totalSteps) {
    this.total = totalSteps;
    this.firstStep = completed;
    this.startedNanos = System.nanoTime();
    this.lastLogNanos = startedNanos;
    LOG.info(completed == 0 ? "training {} steps" : "training steps {}-{}", completed == 0 ? totalSteps : completed + 1,
        totalSteps);
    if (bar) {
      progressBar = new ProgressBarBuilder()
          .setTaskName("train")
          .setInitialMax(totalSteps)
          .setStyle(ProgressBarStyle.ASCII)
          .setUpdateIntervalMillis(500)
          .showSpeed()
          .setSpeedUnit(ChronoUnit.SECONDS)
          .setUnit(" steps", 1)
          .startsFrom(completed, Duration.ZERO)
          .build();
    }
  }

  @Override
  public void onStep(StepMetrics m) {
    String summary = summary(m);
    if (progressBar != null) {
      progressBar.stepTo(m.step());
      progressBar.setExtraMessage(summary);
      return;
    }
    long now = System.nanoTime();
    if (now - lastLogNanos >= logEvery.toNanos() || m.step() == total) {
      lastLogNanos = now;
      double rate = (m.step() - firstStep) / ((now - startedNanos) / 1e9);
      long etaSeconds = rate > 0 ? Math.round((total - m.step()) / rate) : -1;
      LOG.info(String.format(Locale.ROOT, "step %d/%d  %s  %.2f steps/s  ETA %s", m.step(), total, summary,
          rate, etaSeconds < 0 ? "?" : Duration.ofSeconds(etaSeconds).toString().substring(2).toLowerCase(Locale.ROOT)));
    }
  }

  @Override
  public void onValidation(ValidationMetrics v) {
    String line = String.format(Locale.ROOT, "validation after step %d: loss %.4f  nce_acc %.4f%s  (%d images)",
        v.step(), v.loss(), v.accuracy(),
        Double.isNaN(v.onlineAccuracy()) ? "" : String.format(Locale.ROOT, "  online_acc %.4f", v.onlineAccuracy()),
        v.images());
    if (progressBar != null) {
      progressBar.setExtraMessage(line);
    } else {
      LOG.info(line);
    }
  }

  @Override
  public void onEnd(TrainingResult result) {
    if (progressBar != null) {
      progressBar.close();
    }
    LOG.info("{} at step {}; final weights in {}", result.earlyStopped() ? "stopped early" : "done",
        result.steps(), result.checkpoint());
  }

  private static String summary(StepMetrics m) {
    return String.format(Locale.ROOT, "loss %.4f  nce_acc %.3f%s", m.loss(), m.accuracy(),
        Double.isNaN(m.onlineAccuracy()) ? "" : String.format(Locale.ROOT, "  online_acc %.3f", m.onlineAccuracy()));
  }
}
