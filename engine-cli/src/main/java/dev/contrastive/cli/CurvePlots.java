package dev.contrastive.cli;

import dev.contrastive.core.io.AtomicFiles;
import dev.contrastive.models.train.metrics.CsvMetrics;
import dev.contrastive.models.train.metrics.MetricsTable;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG training curves drawn from the metrics CSV with XChart, at the end of a {@code train} run.
 *
 * <p>{@code loss.png} has every column whose name contains {@code loss} (the total and its parts);
 * {@code accuracy.png} every column whose name contains {@code acc} (NCE accuracy, probe accuracy).
 * Both are plotted against the step. Non-finite values are left out of a series, so one NaN step
 * does not blank the chart. A chart with no data to draw is not written.
 */
final class CurvePlots {

    /** Width of each PNG in pixels. */
    public static final int WIDTH = 900;

    /** Height of each PNG in pixels. */
    public static final int HEIGHT = 600;

    private CurvePlots() {}

    /**
     * Draws {@code loss.png} and {@code accuracy.png} into {@code outDir} from {@code csv}. Each is
     * written with {@link AtomicFiles}, so a viewer never sees half a PNG and a full disk leaves the
     * previous one.
     *
     * @return the files written, loss first
     * @throws IOException if the CSV cannot be read or a PNG cannot be written
     */
    public static List<Path> write(Path csv, Path outDir) throws IOException {
        MetricsTable table = CsvMetrics.read(csv);
        Files.createDirectories(outDir);
        List<Path> written = new ArrayList<>();
        if (draw(table, name -> lower(name).contains("loss"), "Loss", "loss", outDir.resolve("loss.png"))) {
            written.add(outDir.resolve("loss.png"));
        }
        if (draw(table, name -> lower(name).contains("acc"), "Accuracy", "accuracy", outDir.resolve("accuracy.png"))) {
            written.add(outDir.resolve("accuracy.png"));
        }
        return written;
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private static boolean draw(MetricsTable table, Predicate<String> columns, String title, String yTitle, Path png)
            throws IOException {
        XYChart chart = new XYChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title)
                .xAxisTitle("step")
                .yAxisTitle(yTitle)
                .build();
        boolean any = false;
        for (String column : table.columns()) {
            if (!columns.test(column)) {
                continue;
            }
            List<Double> steps = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            for (double[] point : table.series(column)) {
                if (Double.isFinite(point[1])) {
                    steps.add(point[0]);
                    values.add(point[1]);
                }
            }
            if (steps.isEmpty()) {
                continue;
            }
            XYSeries series = chart.addSeries(column, steps, values);
            // Markers on thousands of steps hide the line; per-epoch columns have few points, keep them.
            series.setMarker(steps.size() > 50 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            any = true;
        }
        if (!any) {
            return false;
        }
        BufferedImage image = BitmapEncoder.getBufferedImage(chart);
        AtomicFiles.write(png, out -> {
            // Not ImageIO.write to an OutputStream (nor XChart's getBitmapBytes, which does that): it
            // buffers through a file in java.io.tmpdir, which a full /tmp would fail.
            try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
                if (!ImageIO.write(image, "png", stream)) {
                    throw new IOException("this JRE has no PNG writer");
                }
            }
        });
        return true;
    }
}
