package dev.contrastive.bench.report;

import dev.contrastive.bench.train.ConvOps;
import dev.contrastive.bench.train.TrainShape;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * Turns a JMH JSON result file of {@code TrainBenchmark} into markdown: per shape the training step
 * ours vs PyTorch, the encoder's forward and forward+backward alone (ours vs PyTorch), the
 * convolution FLOPs of one encoder pass and the GFLOP/s the encoder and the bare conv ops reach,
 * the step with and without the layers' fast paths, and the one-thread against the default-thread
 * step.
 *
 * <p>Usage: {@code TrainReport <jmh.json> <out.md> <invocation> <jmh command>}, load average before
 * the run in {@code -Dbench.loadBefore}. FLOPs are counted from the layer shapes the PyTorch twin
 * of each encoder traces (2 N Cout Hout Wout Cin Kh Kw per conv forward, twice that backward).
 */
public final class TrainReport {

    private TrainReport() {}

    public static void main(String[] args) throws IOException {
        BenchReport.Arguments a = BenchReport.Arguments.parse("TrainReport", args);
        List<BenchReport.Result> results = BenchReport.parse(a.root());
        Map<String, Double> flops = new TreeMap<>();
        for (BenchReport.Result r : results) {
            String shape = r.params().get("shape");
            if (shape != null && !flops.containsKey(shape)) {
                flops.put(shape, ConvOps.forwardFlops(TrainShape.parse(shape).convShapes()));
            }
        }
        BenchReport.writeWhole(a.out(), render(a.root(), results, flops, BenchReport.Provenance.of(a)));
    }

    /**
     * The report.
     *
     * @param flops forward conv FLOPs of one encoder pass (one view) per shape
     */
    static String render(
            JsonNode root, List<BenchReport.Result> results, Map<String, Double> flops, BenchReport.Provenance from) {
        if (results.isEmpty()) {
            throw new IllegalArgumentException(from.jsonName() + " holds no JMH results");
        }
        Map<String, Times> byShape = new LinkedHashMap<>();
        for (BenchReport.Result r : results) {
            byShape.computeIfAbsent(r.params().get("shape"), k -> new Times(new LinkedHashMap<>()))
                    .byMethod()
                    .put(r.method(), r.score());
        }
        JsonNode first = root.get(0);
        StringBuilder md = new StringBuilder("# Training step benchmarks\n\n");
        from.appendWhenAndWhere(md);
        BenchReport.appendJvm(md, first, "");
        md.append("- JMH: ")
                .append(BenchReport.text(first, "jmhVersion"))
                .append(", 1 fork per method and shape, ")
                .append(BenchReport.iterations(first))
                .append(", mode avgt (an iteration runs at least one call: single shots for the slow shapes)\n");
        from.appendCommands(md);
        md.append("Shapes: amdim-small = AmdimConfig.small(1) (ndf 32, n_rkhs 256, n_depth 1, 1x32x32), amdim-cifar = "
                + "publishedCifar (ndf 128, n_rkhs 1024, n_depth 3, 3x32x32), cpc-small = CpcConfig.small(1) (1x32x32, 49 "
                + "patches per image); the number is the batch per view. Times in ms per call; ratios below 1 mean ours is "
                + "faster.\n\n");

        md.append("## Training step (forward of both views, loss, backward, Adam)\n\n");
        md.append("| shape | ours | PyTorch | ours/PyTorch |\n|---|---:|---:|---:|\n");
        appendRows(
                md,
                byShape,
                List.of("ourStep", "torchStep"),
                t -> List.of(t.ms("ourStep"), t.ms("torchStep"), t.ratio("ourStep", "torchStep")));

        md.append("\n## Fast paths (training step)\n\n");
        md.append("The same step with the layers' fast paths switched off (`FastPaths.setEnabled(false)`: every "
                + "layer on its plain libnd4j ops, as before they existed), in the same run.\n\n");
        md.append("| shape | fast paths | libnd4j ops only | fast / ops only | ops only / PyTorch |\n"
                + "|---|---:|---:|---:|---:|\n");
        appendRows(
                md,
                byShape,
                List.of("ourStepOpPath"),
                t -> List.of(
                        t.ms("ourStep"),
                        t.ms("ourStepOpPath"),
                        t.ratio("ourStep", "ourStepOpPath"),
                        t.ratio("ourStepOpPath", "torchStep")));

        md.append("\n## Encoder alone (one view, training mode)\n\n");
        md.append("| shape | ours fwd | PyTorch fwd | ratio | ours fwd+bwd | PyTorch fwd+bwd | ratio | ours bwd "
                + "(fwd+bwd - fwd) |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        appendRows(md, byShape, List.of("ourForward"), t -> {
            Double f = t.byMethod().get("ourForward");
            Double fb = t.byMethod().get("ourForwardBackward");
            return List.of(
                    t.ms("ourForward"),
                    t.ms("torchForward"),
                    t.ratio("ourForward", "torchForward"),
                    t.ms("ourForwardBackward"),
                    t.ms("torchForwardBackward"),
                    t.ratio("ourForwardBackward", "torchForwardBackward"),
                    fb == null || f == null ? "—" : BenchReport.ms(fb - f));
        });

        md.append("\n## Convolution throughput\n\n");
        md.append("GFLOP per pass counts the encoder's convolutions only (forward 2 N Cout Hout Wout Cin Kh Kw; "
                + "backward twice that). \"conv ops\" runs libnd4j conv2d (and conv2d_bp) alone on the same layer "
                + "shapes with preallocated outputs; \"% of conv ops\" is the encoder's GFLOP/s over theirs, i.e. conv "
                + "op time / encoder time.\n\n");
        md.append("| shape | GFLOP fwd | conv ops fwd GFLOP/s | encoder fwd GFLOP/s | % of conv ops | "
                + "conv ops fwd+bwd GFLOP/s | encoder fwd+bwd GFLOP/s | % of conv ops |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
        byShape.forEach((shape, t) -> {
            Double fl = flops.get(shape);
            Map<String, Double> m = t.byMethod();
            if (fl == null || !m.containsKey("convForward")) {
                return;
            }
            double g = fl / 1e9;
            BenchReport.appendRow(
                    md,
                    shape,
                    num(g),
                    gflops(g, m.get("convForward")),
                    gflops(g, m.get("ourForward")),
                    BenchReport.percent(m.get("convForward"), m.get("ourForward")),
                    gflops(3 * g, m.get("convForwardBackward")),
                    gflops(3 * g, m.get("ourForwardBackward")),
                    BenchReport.percent(m.get("convForwardBackward"), m.get("ourForwardBackward")));
        });

        md.append("\n## Native threads (training step)\n\n");
        md.append(
                "| shape | ours, 1 thread | ours, default | 1 thread / default | PyTorch, 1 thread | PyTorch, default "
                        + "| 1 thread / default |\n|---|---:|---:|---:|---:|---:|---:|\n");
        appendRows(
                md,
                byShape,
                List.of("ourStepOneThread", "torchStepOneThread"),
                t -> List.of(
                        t.ms("ourStepOneThread"),
                        t.ms("ourStep"),
                        t.ratio("ourStepOneThread", "ourStep"),
                        t.ms("torchStepOneThread"),
                        t.ms("torchStep"),
                        t.ratio("torchStepOneThread", "torchStep")));
        return md.toString();
    }

    /** One shape's mean ms per call by benchmark method, printed as the tables print them. */
    private record Times(Map<String, Double> byMethod) {

        String ms(String method) {
            return BenchReport.ms(byMethod.get(method));
        }

        String ratio(String method, String over) {
            return BenchReport.ratio(byMethod.get(method), byMethod.get(over));
        }
    }

    /** A row per shape that has a result of any of {@code methods}: the shape, then {@code cells}. */
    private static void appendRows(
            StringBuilder md, Map<String, Times> byShape, List<String> methods, Function<Times, List<String>> cells) {
        byShape.forEach((shape, t) -> {
            if (methods.stream().anyMatch(t.byMethod()::containsKey)) {
                List<String> row = new ArrayList<>(List.of(shape));
                row.addAll(cells.apply(t));
                BenchReport.appendRow(md, row.toArray());
            }
        });
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, v >= 10 ? "%.1f" : "%.2f", v);
    }

    private static String gflops(double gflop, Double ms) {
        return ms == null ? "—" : num(gflop / (ms / 1e3));
    }
}
