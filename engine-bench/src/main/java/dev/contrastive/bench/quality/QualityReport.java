package dev.contrastive.bench.quality;

import dev.contrastive.bench.report.BenchReport;
import dev.contrastive.models.eval.EvaluationReport;
import dev.contrastive.models.train.Trainer;
import dev.contrastive.models.train.metrics.CsvMetrics;
import dev.contrastive.models.train.metrics.MetricsTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * The per-method quality table of the main job's budget: for each run directory ({@code
 * scripts/quality-methods.sh} trains one per method for the same number of steps, then evaluates
 * it), the linear and kNN probe accuracies of the learned features beside raw pixels and the
 * random-init model, the mean steps/s, and the online evaluator's validation accuracy against
 * minutes of training (one PNG for all methods).
 *
 * <p>Usage: {@code QualityReport OUT.md OUT.png COMMAND RUN_DIR...}; each run directory holds the
 * trainer's {@code metrics.csv} and the {@code eval.json} of {@code contrastive eval --baselines
 * --probes linear,knn}.
 */
public final class QualityReport {

    private QualityReport() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 4) {
            throw new IllegalArgumentException("usage: QualityReport OUT.md OUT.png COMMAND RUN_DIR...");
        }
        Path md = Path.of(args[0]);
        Path png = Path.of(args[1]);
        StringBuilder table = new StringBuilder("| method | steps | minutes | steps/s | linear: learned | raw | random"
                + " | learned - raw | kNN: learned | raw | random | final online acc |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        XYChart chart = new XYChartBuilder()
                .width(900)
                .height(600)
                .title("Online linear accuracy (validation)")
                .xAxisTitle("minutes of training")
                .yAxisTitle("accuracy")
                .build();
        for (int i = 3; i < args.length; i++) {
            Path run = Path.of(args[i]);
            MetricsTable metrics = CsvMetrics.read(run.resolve(Trainer.METRICS_CSV));
            EvaluationReport eval = EvaluationReport.readJson(run.resolve("eval.json"));
            double[] minutes = cumulativeMinutes(metrics);
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (double[] point : metrics.series("val/online_acc")) {
                x.add(minutes[(int) point[0] - 1]);
                y.add(point[1]);
            }
            if (!x.isEmpty()) {
                chart.addSeries(eval.method(), x, y);
            }
            long steps = metrics.rows().size();
            double total = minutes[minutes.length - 1];
            table.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %.2f | %.2f | %.4f | %.4f | %.4f | %+.4f | %.4f | %.4f | %.4f | %s |%n",
                    eval.method(),
                    steps,
                    total,
                    steps / (total * 60),
                    eval.learned().linear().testAccuracy(),
                    eval.rawPixels().linear().testAccuracy(),
                    eval.randomInit().linear().testAccuracy(),
                    eval.learned().linear().testAccuracy()
                            - eval.rawPixels().linear().testAccuracy(),
                    eval.learned().knnAccuracy(),
                    eval.rawPixels().knnAccuracy(),
                    eval.randomInit().knnAccuracy(),
                    y.isEmpty() ? "n/a" : String.format(Locale.ROOT, "%.4f", y.get(y.size() - 1))));
        }
        BitmapEncoder.saveBitmap(chart, png.toString().replaceFirst("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
        String text = "# Every method under the main job's budget\n\n"
                + Instant.now()
                + ", "
                + BenchReport.machine()
                + "\n\n"
                + "Command: `"
                + args[2]
                + "`\n\n"
                + table
                + "\nlinear: the main job's linear probe (at most 300 epochs, the epoch chosen on 10% of the training"
                + " split); kNN: k-nearest neighbours on the same features; raw and random: the same probe on the"
                + " preprocessed pixels and on a randomly initialised model of the same configuration. Minutes are"
                + " the sum of the step times (data wait included, validation excluded), on a machine that may have been"
                + " busy with other work: compare the accuracies, not the minutes.\n\n"
                + "![online accuracy against minutes]("
                + png.getFileName()
                + ")\n";
        Path tmp = md.resolveSibling(md.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, md, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Minutes of training after each step, from the per-step steps/s. */
    private static double[] cumulativeMinutes(MetricsTable metrics) {
        List<double[]> rate = metrics.series("train/steps_per_s");
        double[] minutes = new double[rate.size()];
        double sum = 0;
        for (int i = 0; i < rate.size(); i++) {
            sum += 1 / rate.get(i)[1] / 60;
            minutes[i] = sum;
        }
        return minutes;
    }
}
