package dev.contrastive.bench.parallel;

import dev.contrastive.core.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Peak resident memory of one training step of the small AMDIM at growing global batches, plain and
 * in micro-batches of M (DataParallel, one replica), against the plain step at batch M: with
 * micro-batches the activations of only M images are alive at a time, so the step should cost about
 * what a plain step of M does, plus what grows with the global batch (the maps the loss reads and
 * their gradients, the loss's own scratch).
 *
 * <p>Each point is a child JVM ({@link MemoryPoint}) with the same pre-touched fixed heap, run one
 * at a time; its VmHWM is reset before each of its steps. A plain point whose need, extrapolated
 * linearly from the series' last two points, exceeds the limit is skipped and reported as skipped.
 *
 * <p>Usage: {@code MicroBatchMemory OUT.md OUT.png COMMAND CPU HEAP LIMIT_MIB MICRO STEPS
 * GLOBAL...}, e.g. {@code out.md out.png "scripts/bench-parallel.sh memory" Xeon 512m 12288 64 3
 * 256 512 1024 2048 4096}.
 */
public final class MicroBatchMemory {

    /**
     * The requirement checked: the largest global batch in micro-batches within this factor of the
     * reference.
     */
    static final double ALLOWED_FACTOR = 1.5;

    private MicroBatchMemory() {}

    /** A point not measured, and why. */
    record Skipped(int global, Split split, String reason) {

        Skipped {
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException("skipped.reason must not be blank");
            }
        }
    }

    /** What the report needs besides the points. */
    record Settings(String heap, long limitMib, int micro, int steps) {

        Settings {
            if (limitMib < 1) {
                throw new IllegalArgumentException("settings.limitMib must be >= 1, got " + limitMib);
            }
            if (micro < 1) {
                throw new IllegalArgumentException("settings.micro must be >= 1, got " + micro);
            }
            if (steps < 2) {
                throw new IllegalArgumentException(
                        "settings.steps must be >= 2 (step 1 learns the workspaces), got " + steps);
            }
        }
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length < 9) {
            throw new IllegalArgumentException(
                    "usage: MicroBatchMemory OUT.md OUT.png COMMAND CPU HEAP LIMIT_MIB MICRO STEPS GLOBAL...");
        }
        Path md = Path.of(args[0]);
        Path png = Path.of(args[1]);
        RunHeader header = RunHeader.startingNow(args[2], args[3]);
        Settings settings =
                new Settings(args[4], Long.parseLong(args[5]), Integer.parseInt(args[6]), Integer.parseInt(args[7]));
        List<Integer> globals = new ArrayList<>();
        for (int i = 8; i < args.length; i++) {
            int g = Integer.parseInt(args[i]);
            if (g % settings.micro() != 0 || g <= settings.micro()) {
                throw new IllegalArgumentException(
                        "GLOBAL " + g + " must be a multiple of MICRO " + settings.micro() + " above it");
            }
            globals.add(g);
        }
        Split plain = Split.plainStep();
        Split micro = Split.parallel(1, settings.micro());
        List<MemoryPoint.Result> points = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        measure(settings, settings.micro(), plain, points, skipped);
        for (int g : globals) {
            measure(settings, g, plain, points, skipped);
            measure(settings, g, micro, points, skipped);
        }
        String body = render(points, skipped, settings, png.getFileName().toString());
        writeChart(png, points, settings);
        AtomicFiles.writeString(
                md, header.markdown("Micro-batch memory: peak resident memory of one training step") + body);
        System.out.print(body);
    }

    private static void measure(
            Settings settings, int global, Split split, List<MemoryPoint.Result> points, List<Skipped> skipped)
            throws IOException, InterruptedException {
        Optional<Long> predicted = predictedPeakKib(points, split, global);
        if (predicted.isPresent() && predicted.get() / 1024 > settings.limitMib()) {
            skipped.add(new Skipped(
                    global,
                    split,
                    String.format(
                            Locale.ROOT,
                            "a linear extrapolation of the last two %s points predicts %.0f MiB, above the %d MiB limit",
                            split.label(),
                            ResidentMemory.mib(predicted.get()),
                            settings.limitMib())));
            System.err.println("skipped "
                    + split.label()
                    + " at "
                    + global
                    + ": "
                    + skipped.get(skipped.size() - 1).reason());
            return;
        }
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms" + settings.heap(),
                "-Xmx" + settings.heap(),
                "-XX:+AlwaysPreTouch",
                "-Dorg.bytedeco.javacpp.maxbytes=0",
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=0",
                "-Dlogback.configurationFile=bench-logback.xml",
                "-cp",
                System.getProperty("java.class.path"),
                MemoryPoint.class.getName(),
                Integer.toString(global),
                split.label(),
                Integer.toString(settings.steps()));
        System.err.println("point " + split.label() + " at global " + global + " ...");
        Process child = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        MemoryPoint.Result result = null;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(MemoryPoint.Result.PREFIX + " ")) {
                    result = MemoryPoint.Result.parse(line);
                } else {
                    System.err.println("  " + line);
                }
            }
        }
        int exit = child.waitFor();
        if (exit != 0 || result == null) {
            skipped.add(new Skipped(
                    global,
                    split,
                    "the child JVM exited with status "
                            + exit
                            + (result == null ? " before printing its result" : "")));
            System.err.println("failed " + split.label() + " at " + global + ": exit " + exit);
            return;
        }
        System.err.println("  " + result.format());
        points.add(result);
    }

    /**
     * The steady-state peak a point of {@code split} at {@code global} would reach, extrapolated
     * linearly from the series' two measured points of the largest global batches below it; empty
     * with fewer than two.
     */
    static Optional<Long> predictedPeakKib(List<MemoryPoint.Result> points, Split split, int global) {
        List<MemoryPoint.Result> below = points.stream()
                .filter(p -> p.split().equals(split) && p.global() < global)
                .sorted((x, y) -> Integer.compare(x.global(), y.global()))
                .toList();
        if (below.size() < 2) {
            return Optional.empty();
        }
        MemoryPoint.Result a = below.get(below.size() - 2);
        MemoryPoint.Result b = below.get(below.size() - 1);
        double slope = (double) (b.steadyPeakKib() - a.steadyPeakKib()) / (b.global() - a.global());
        return Optional.of(Math.round(b.steadyPeakKib() + slope * (global - b.global())));
    }

    /** The report's body after the header. */
    static String render(List<MemoryPoint.Result> points, List<Skipped> skipped, Settings settings, String pngName) {
        Split plain = Split.plainStep();
        Split micro = Split.parallel(1, settings.micro());
        StringBuilder md = new StringBuilder();
        md.append("- Model: the small AMDIM (registry \"amdim\", encoder \"small\": ndf 32, n_rkhs 256, depth 1),"
                + " 1 x 32 x 32 float32 views; a step is forward, loss, backward and Adam (AdamOptions.amdim()) in"
                + " the trainer's \"train-step\" scope\n");
        md.append("- One child JVM per point, run one after another, each with `-Xms")
                .append(settings.heap())
                .append(" -Xmx")
                .append(settings.heap())
                .append(" -XX:+AlwaysPreTouch`; ")
                .append(settings.steps())
                .append(
                        " steps per point, VmHWM (/proc/self/status) reset before each step (`/proc/self/clear_refs`)\n");
        md.append("- Resident memory is the whole process's: the pre-touched heap, the JVM and native libraries,"
                + " model, optimiser state and views (\"before\": VmRSS before step 1) and what the step adds\n");
        md.append("- Headline peak: the steady state, the largest of steps 2 to ")
                .append(settings.steps())
                .append(". Step 1 is the workspaces' learning cycle: every array is a separate allocation and each"
                        + " scope allocates its buffer when it first closes, while the enclosing scope's arrays are still"
                        + " held; from step 2 on every step reuses the same buffers, which is what a training run of"
                        + " thousands of steps holds. Step 1's peak is in the table and in the second check.\n\n");
        md.append(
                "| global batch | split | before, MiB | peak step 1, MiB | peak per step 2.., MiB | headline peak, MiB"
                        + " | headline above before, MiB |\n");
        md.append("|---:|---|---:|---:|---|---:|---:|\n");
        // By global batch, plain first; a skipped point in its place.
        TreeSet<Integer> globals = new TreeSet<>();
        points.forEach(p -> globals.add(p.global()));
        skipped.forEach(s -> globals.add(s.global()));
        for (int g : globals) {
            for (Split split : List.of(plain, micro)) {
                points.stream()
                        .filter(p -> p.global() == g && p.split().equals(split))
                        .forEach(p -> md.append(row(p)));
                skipped.stream()
                        .filter(s -> s.global() == g && s.split().equals(split))
                        .forEach(s -> md.append(String.format(
                                Locale.ROOT, "| %d | %s | skipped: %s | | | | |%n", g, split.describe(), s.reason())));
            }
        }
        md.append('\n');
        Optional<MemoryPoint.Result> reference = points.stream()
                .filter(p -> p.split().equals(plain) && p.global() == settings.micro())
                .findFirst();
        Optional<MemoryPoint.Result> largest = points.stream()
                .filter(p -> p.split().equals(micro))
                .max((x, y) -> Integer.compare(x.global(), y.global()));
        md.append("## Check: the largest global batch in micro-batches of ")
                .append(settings.micro())
                .append(" within ")
                .append(ALLOWED_FACTOR)
                .append("x the plain step at batch ")
                .append(settings.micro())
                .append("\n\n");
        if (reference.isEmpty() || largest.isEmpty()) {
            md.append("Not checked: ")
                    .append(
                            reference.isEmpty()
                                    ? "the plain step at batch " + settings.micro() + " was not measured"
                                    : "no micro-batch point was measured")
                    .append(".\n");
        } else {
            MemoryPoint.Result ref = reference.get();
            MemoryPoint.Result big = largest.get();
            md.append(
                    checkLine("headline (steady-state) peak", big.global(), big.steadyPeakKib(), ref.steadyPeakKib()));
            md.append(checkLine("whole-run peak, step 1 included", big.global(), big.runPeakKib(), ref.runPeakKib()));
            md.append(String.format(
                    Locale.ROOT,
                    "- the step's own memory, headline peak above \"before\": %.0f MiB"
                            + " against %.0f MiB, %.2fx (for scale: the heap and libraries are in both totals above)%n",
                    ResidentMemory.mib(big.steadyPeakKib() - big.beforeKib()),
                    ResidentMemory.mib(ref.steadyPeakKib() - ref.beforeKib()),
                    (double) (big.steadyPeakKib() - big.beforeKib()) / (ref.steadyPeakKib() - ref.beforeKib())));
        }
        md.append("\n![peak resident memory against global batch](")
                .append(pngName)
                .append(")\n");
        return md.toString();
    }

    private static String row(MemoryPoint.Result p) {
        StringBuilder later = new StringBuilder();
        for (int s = 1; s < p.steps(); s++) {
            later.append(s == 1 ? "" : ", ")
                    .append(String.format(
                            Locale.ROOT, "%.0f", ResidentMemory.mib(p.peakKib().get(s))));
        }
        return String.format(
                Locale.ROOT,
                "| %d | %s | %.0f | %.0f | %s | %.0f | %.0f |%n",
                p.global(),
                p.split().describe(),
                ResidentMemory.mib(p.beforeKib()),
                ResidentMemory.mib(p.peakKib().get(0)),
                later,
                ResidentMemory.mib(p.steadyPeakKib()),
                ResidentMemory.mib(p.steadyPeakKib() - p.beforeKib()));
    }

    private static String checkLine(String what, int global, long bigKib, long refKib) {
        double ratio = (double) bigKib / refKib;
        return String.format(
                Locale.ROOT,
                "- %s: global %d in micro-batches %.0f MiB / plain step %.0f MiB = **%.2fx**," + " %s%n",
                what,
                global,
                ResidentMemory.mib(bigKib),
                ResidentMemory.mib(refKib),
                ratio,
                ratio <= ALLOWED_FACTOR
                        ? "within " + ALLOWED_FACTOR + "x"
                        : "over " + ALLOWED_FACTOR + "x: requirement missed");
    }

    private static void writeChart(Path png, List<MemoryPoint.Result> points, Settings settings) throws IOException {
        XYChart chart = new XYChartBuilder()
                .width(900)
                .height(600)
                .title("Peak resident memory of one training step (small AMDIM, steady state)")
                .xAxisTitle("global batch (images per view)")
                .yAxisTitle("resident MiB (VmHWM, whole JVM)")
                .build();
        chart.getStyler().setXAxisLogarithmic(true);
        // From zero, so that the heights compare as the ratios in the report do.
        chart.getStyler().setYAxisMin(0.0);
        for (Split split : List.of(Split.plainStep(), Split.parallel(1, settings.micro()))) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            points.stream()
                    .filter(p -> p.split().equals(split))
                    .sorted((a, b) -> Integer.compare(a.global(), b.global()))
                    .forEach(p -> {
                        x.add((double) p.global());
                        y.add(ResidentMemory.mib(p.steadyPeakKib()));
                    });
            if (!x.isEmpty()) {
                chart.addSeries(split.plain() ? "plain step" : "micro-batches of " + settings.micro(), x, y)
                        .setMarker(SeriesMarkers.CIRCLE);
            }
        }
        BufferedImage image = BitmapEncoder.getBufferedImage(chart);
        AtomicFiles.write(png, out -> {
            // As CurvePlots: ImageIO into a memory-cached stream, not through a file in
            // java.io.tmpdir.
            try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
                if (!ImageIO.write(image, "png", stream)) {
                    throw new IOException("this JRE has no PNG writer");
                }
            }
        });
    }
}
