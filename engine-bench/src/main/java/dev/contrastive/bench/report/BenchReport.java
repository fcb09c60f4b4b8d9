package dev.contrastive.bench.report;

import dev.contrastive.core.kernel.NativeTiles;
import dev.contrastive.core.kernel.Tiling;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * Turns a JMH JSON result file of {@code LossBenchmark} and/or {@code TileBenchmark} into a
 * markdown report: per loss and shape the ms/op of every method with the ratios fused/torch,
 * fused/materialized and the sgemm floor as a share of the fused time; per tiled loss a rows x
 * columns grid, compared with {@code Tiling.DEFAULT}.
 *
 * <p>Usage: {@code BenchReport <jmh.json> <out.md> <invocation> <jmh command>}, with the load
 * average before the run in {@code -Dbench.loadBefore}. The report is written to a temporary file
 * next to {@code out.md} and renamed over it, so a reader never sees half a file.
 */
public final class BenchReport {

    private static final String LOSS_BENCHMARK = "LossBenchmark";
    private static final String TILE_BENCHMARK = "TileBenchmark";

    /** Method suffixes of LossBenchmark, in column order. */
    private static final List<String> METHODS =
            List.of("Fused", "FusedNd4j", "Materialized", "Torch", "TorchMatmul", "Sgemm");

    /** Loss prefixes of LossBenchmark methods and how their shapes read. */
    private static final Map<String, String> LOSSES = Map.of(
            "infoNce", "InfoNCE (D = 128, 2B x 2B scores)",
            "amdim", "AMDIM r1 -> r5 / r7 (B = 128, D = 512, both directions)",
            "cpc", "CPC v2 (B = 32, 7 x 7 grid, D = 64, k = 2, 3, 4)");

    private BenchReport() {}

    /**
     * One JMH result: benchmark class and method, parameters, ms/op, its 99.9% half-width, and the
     * fastest measurement iteration. Other jobs on the machine only ever add time, so the minimum is
     * the steadiest estimate of what the code itself costs when the mean scatters.
     */
    record Result(
            String benchmarkClass, String method, Map<String, String> params, double score, double error, double min) {}

    /** The four arguments both reports' mains take, and the JMH results the first names. */
    record Arguments(Path json, Path out, String invocation, String jmhCommand, JsonNode root) {

        static Arguments parse(String report, String[] args) throws IOException {
            if (args.length != 4) {
                throw new IllegalArgumentException(
                        "usage: " + report + " <jmh.json> <out.md> <invocation> <jmh command>");
            }
            Path json = Path.of(args[0]);
            return new Arguments(json, Path.of(args[1]), args[2], args[3], new ObjectMapper().readTree(json.toFile()));
        }

        String jsonName() {
            return json.getFileName().toString();
        }
    }

    /**
     * Where a report's results came from: the results file and the commands that made it, when, on
     * what machine and under what load.
     */
    record Provenance(String jsonName, String invocation, String jmhCommand, Instant now, String machine, String load) {

        /** Of the results a report's main was given, reported now on this machine. */
        static Provenance of(Arguments a) throws IOException {
            return new Provenance(
                    a.jsonName(), a.invocation(), a.jmhCommand(), Instant.now(), BenchReport.machine(), loadAround());
        }

        /** The header lines both reports begin with: when they were made, on what machine, under what load. */
        void appendWhenAndWhere(StringBuilder md) {
            md.append("- Date (UTC): ")
                    .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
                            now.atOffset(ZoneOffset.UTC).withNano(0)))
                    .append('\n');
            md.append("- Machine: ").append(machine).append('\n');
            md.append("- Load average (1, 5, 15 min): ")
                    .append(load)
                    .append(" (other jobs on the machine scatter the times)\n");
        }

        /** The header lines both reports end with: the results file and the commands that made it. */
        void appendCommands(StringBuilder md) {
            md.append("- Raw results: `").append(jsonName).append("`\n");
            md.append("- Command: `").append(invocation).append("`\n");
            md.append("- JMH command: `").append(jmhCommand).append("`\n\n");
        }
    }

    public static void main(String[] args) throws IOException {
        Arguments a = Arguments.parse("BenchReport", args);
        writeWhole(a.out(), render(a.root(), Provenance.of(a)));
    }

    /** The load averages before the run (from {@code -Dbench.loadBefore}) and now, after it. */
    static String loadAround() throws IOException {
        return "before the run " + System.getProperty("bench.loadBefore", "not recorded") + ", after it "
                + loadAverage();
    }

    /**
     * Writes {@code markdown} to a temporary file next to {@code out} and renames it over it, so a
     * reader never sees half a file.
     */
    static void writeWhole(Path out, String markdown) throws IOException {
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        Files.writeString(tmp, markdown, StandardCharsets.UTF_8);
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The whole report for a parsed JMH result array. */
    static String render(JsonNode root, Provenance from) {
        List<Result> results = parse(root);
        if (results.isEmpty()) {
            throw new IllegalArgumentException(from.jsonName() + " holds no JMH results");
        }
        JsonNode first = root.get(0);
        StringBuilder md = new StringBuilder();
        md.append("# Contrastive loss benchmarks\n\n");
        from.appendWhenAndWhere(md);
        appendJvm(md, first, " (JDK " + text(first, "jdkVersion") + ")");
        md.append("- JMH: ")
                .append(text(first, "jmhVersion"))
                .append(", ")
                .append(text(first, "forks"))
                .append(" fork per benchmark, ")
                .append(iterations(first))
                .append(", mode ")
                .append(text(first, "mode"))
                .append('\n');
        from.appendCommands(md);
        md.append("Times are ms per call (forward + backward), ± the 99.9% confidence half-width JMH "
                + "reports. fused/torch < 1 means the fused loss is faster than PyTorch; "
                + "\"% of sgemm limit\" is sgemm time / fused time, the share of the call that the same "
                + "matrix products alone take on ND4J's BLAS.\n\n");
        List<Result> loss = results.stream()
                .filter(r -> r.benchmarkClass.equals(LOSS_BENCHMARK))
                .toList();
        if (!loss.isEmpty()) {
            renderLosses(md, loss);
        }
        List<Result> tiles = results.stream()
                .filter(r -> r.benchmarkClass.equals(TILE_BENCHMARK))
                .toList();
        if (!tiles.isEmpty()) {
            renderTiles(md, tiles);
        }
        return md.toString();
    }

    static List<Result> parse(JsonNode root) {
        List<Result> results = new ArrayList<>();
        for (JsonNode n : root) {
            String benchmark = text(n, "benchmark");
            int dot = benchmark.lastIndexOf('.');
            String className = benchmark.substring(benchmark.lastIndexOf('.', dot - 1) + 1, dot);
            Map<String, String> params = new TreeMap<>();
            JsonNode p = n.get("params");
            if (p != null) {
                p.fields()
                        .forEachRemaining(
                                e -> params.put(e.getKey(), e.getValue().asText()));
            }
            JsonNode metric = n.get("primaryMetric");
            String unit = metric.get("scoreUnit").asText();
            if (!unit.equals("ms/op")) {
                throw new IllegalArgumentException(
                        benchmark + " is in " + unit + "; the report is written for ms/op (AverageTime, ms)");
            }
            results.add(new Result(
                    className,
                    benchmark.substring(dot + 1),
                    params,
                    metric.get("score").asDouble(),
                    metric.get("scoreError").asDouble(),
                    fastestIteration(metric)));
        }
        return results;
    }

    private static double fastestIteration(JsonNode metric) {
        double min = Double.NaN;
        JsonNode raw = metric.get("rawData");
        if (raw != null) {
            for (JsonNode fork : raw) {
                for (JsonNode iteration : fork) {
                    min = Double.isNaN(min) ? iteration.asDouble() : Math.min(min, iteration.asDouble());
                }
            }
        }
        return min;
    }

    /** A loss's method results for one parameter set. */
    private record Shape(String loss, Map<String, String> params, Map<String, Result> byMethod) {

        String label() {
            if (params.isEmpty()) {
                return "default shape";
            }
            List<String> parts = new ArrayList<>();
            params.forEach((k, v) -> parts.add(k + " = " + v));
            return String.join(", ", parts);
        }

        Double ms(String method) {
            Result r = byMethod.get(method);
            return r == null ? null : r.score;
        }
    }

    private static void renderLosses(StringBuilder md, List<Result> results) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (String loss : List.of("infoNce", "amdim", "cpc")) {
            for (Result r : results) {
                String method = suffix(r.method);
                if (method == null || !r.method.equals(loss + method)) {
                    continue;
                }
                String key = loss + r.params;
                shapes.computeIfAbsent(key, k -> new Shape(loss, r.params, new LinkedHashMap<>()))
                        .byMethod
                        .put(method, r);
            }
        }
        md.append("## Losses\n\n");
        md.append("| loss | shape | fused | fused (ND4J path) | materialized | torch | torch matmul "
                + "| sgemm | fused/torch | fused/materialized | % of sgemm limit |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Shape s : shapes.values()) {
            List<Object> cells = new ArrayList<>(List.of(lossName(s.loss), s.label()));
            METHODS.forEach(m -> cells.add(ms(s.ms(m))));
            cells.add(ratio(s.ms("Fused"), s.ms("Torch")));
            cells.add(ratio(s.ms("Fused"), s.ms("Materialized")));
            cells.add(percent(s.ms("Sgemm"), s.ms("Fused")));
            appendRow(md, cells.toArray());
        }
        md.append('\n');
        for (Shape s : shapes.values()) {
            md.append("### ")
                    .append(LOSSES.get(s.loss))
                    .append(": ")
                    .append(s.label())
                    .append("\n\n");
            md.append("| method | ms/op | ± (99.9%) | fastest iteration | time / fused |\n"
                    + "|---|---:|---:|---:|---:|\n");
            for (String m : METHODS) {
                Result r = s.byMethod.get(m);
                if (r != null) {
                    appendRow(md, methodName(m), ms(r.score), ms(r.error), ms(r.min), ratio(r.score, s.ms("Fused")));
                }
            }
            md.append("\nfused/torch ")
                    .append(ratio(s.ms("Fused"), s.ms("Torch")))
                    .append(", fused/materialized ")
                    .append(ratio(s.ms("Fused"), s.ms("Materialized")))
                    .append(", sgemm floor ")
                    .append(percent(s.ms("Sgemm"), s.ms("Fused")))
                    .append(" of the fused time.\n\n");
        }
    }

    private static void renderTiles(StringBuilder md, List<Result> results) {
        md.append("## Tile sweep (fused loss by tile rows x columns)\n\n");
        md.append("Cells: mean ms/op ± 99.9% half-width, then the fastest iteration in brackets. A tile "
                + "beats Tiling.DEFAULT ("
                + Tiling.DEFAULT.rows()
                + " x "
                + Tiling.DEFAULT.columns()
                + ") only if their confidence intervals do not overlap.\n\n");
        Map<String, List<Result>> byLoss = new TreeMap<>();
        for (Result r : results) {
            byLoss.computeIfAbsent(r.method, k -> new ArrayList<>()).add(r);
        }
        byLoss.forEach((loss, rs) -> {
            TreeSet<Integer> rows = new TreeSet<>();
            TreeSet<Integer> columns = new TreeSet<>();
            Map<String, Result> cell = new LinkedHashMap<>();
            Result best = null;
            for (Result r : rs) {
                int row = Integer.parseInt(r.params.get("rows"));
                int col = Integer.parseInt(r.params.get("columns"));
                rows.add(row);
                columns.add(col);
                cell.put(row + "x" + col, r);
                if (best == null || r.score < best.score) {
                    best = r;
                }
            }
            md.append("### ").append(loss).append("\n\n| rows \\ columns |");
            columns.forEach(c -> md.append(' ').append(c).append(" |"));
            md.append("\n|---|");
            columns.forEach(c -> md.append("---:|"));
            md.append('\n');
            for (int row : rows) {
                List<Object> cells = new ArrayList<>(List.of(row));
                for (int col : columns) {
                    Result r = cell.get(row + "x" + col);
                    String v = r == null ? "—" : ms(r.score) + " ± " + ms(r.error) + " (" + ms(r.min) + ")";
                    cells.add(r == best ? "**" + v + "**" : v);
                }
                appendRow(md, cells.toArray());
            }
            md.append("\nLowest mean: rows = ")
                    .append(best.params.get("rows"))
                    .append(", columns = ")
                    .append(best.params.get("columns"))
                    .append(", ")
                    .append(ms(best.score))
                    .append(" ± ")
                    .append(ms(best.error))
                    .append(" ms. ");
            Result standard = cell.get(Tiling.DEFAULT.rows() + "x" + Tiling.DEFAULT.columns());
            if (standard == null) {
                md.append("Tiling.DEFAULT was not measured.\n\n");
            } else {
                boolean slower = best.score + best.error < standard.score - standard.error;
                md.append("Tiling.DEFAULT: ")
                        .append(ms(standard.score))
                        .append(" ± ")
                        .append(ms(standard.error))
                        .append(slower ? " ms, significantly slower.\n\n" : " ms, within the noise of the lowest.\n\n");
            }
        });
    }

    private static String suffix(String method) {
        String found = null;
        for (String m : METHODS) {
            if (method.endsWith(m) && (found == null || m.length() > found.length())) {
                found = m;
            }
        }
        return found;
    }

    private static String lossName(String loss) {
        return switch (loss) {
            case "infoNce" -> "InfoNCE";
            case "amdim" -> "AMDIM";
            case "cpc" -> "CPC";
            default -> loss;
        };
    }

    private static String methodName(String method) {
        return switch (method) {
            case "TorchMatmul" -> "torch matmul";
            case "FusedNd4j" -> "fused, ND4J path";
            default -> method.toLowerCase(Locale.ROOT);
        };
    }

    static String ms(Double v) {
        if (v == null || v.isNaN()) {
            return "—";
        }
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (v >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String ratio(Double a, Double b) {
        if (a == null || b == null) {
            return "—";
        }
        return String.format(Locale.ROOT, "%.2f", a / b);
    }

    static String percent(Double part, Double whole) {
        if (part == null || whole == null) {
            return "—";
        }
        return String.format(Locale.ROOT, "%.0f%%", 100 * part / whole);
    }

    /**
     * The JVM lines of a JMH result: the VM's name and version with {@code detail} after them, and
     * the JVM arguments of the forks.
     */
    static void appendJvm(StringBuilder md, JsonNode result, String detail) {
        md.append("- JVM: ")
                .append(text(result, "vmName"))
                .append(' ')
                .append(text(result, "vmVersion"))
                .append(detail)
                .append('\n');
        md.append("- Fork JVM arguments: `")
                .append(String.join(" ", strings(result.get("jvmArgs"))))
                .append("`\n");
    }

    /** The warmup and measurement iterations of a JMH result: "2 x 1 s warmup, 3 x 2 s measurement". */
    static String iterations(JsonNode result) {
        return text(result, "warmupIterations")
                + " x "
                + text(result, "warmupTime")
                + " warmup, "
                + text(result, "measurementIterations")
                + " x "
                + text(result, "measurementTime")
                + " measurement";
    }

    /** A markdown table row: {@code | a | b | ... |} and a line break. */
    static void appendRow(StringBuilder md, Object... cells) {
        md.append('|');
        for (Object cell : cells) {
            md.append(' ').append(cell).append(" |");
        }
        md.append('\n');
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null ? "?" : v.asText();
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(v -> out.add(v.asText()));
        }
        return out;
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg. */
    static String loadAverage() throws IOException {
        Path loadavg = Path.of("/proc/loadavg");
        if (!Files.isReadable(loadavg)) {
            return "unknown";
        }
        String[] fields = Files.readString(loadavg).trim().split("\\s+");
        return String.join(" ", List.of(fields).subList(0, Math.min(3, fields.length)));
    }

    /**
     * CPU model and logical CPU count from /proc/cpuinfo, the native thread settings, and the tile
     * path the fused losses take on this machine (the C++ kernel loads here exactly when it loads in
     * the forks: same class path, same system).
     */
    public static String machine() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        String model = "unknown CPU";
        int cpus = 0;
        if (Files.isReadable(cpuinfo)) {
            for (String line : Files.readAllLines(cpuinfo)) {
                if (line.startsWith("model name") && model.equals("unknown CPU")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                }
                if (line.startsWith("processor")) {
                    cpus++;
                }
            }
        }
        StringBuilder env = new StringBuilder();
        for (String name : List.of("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_WAIT_POLICY")) {
            String v = System.getenv(name);
            env.append(env.isEmpty() ? "" : ", ").append(name).append('=').append(v == null ? "unset" : v);
        }
        return model
                + ", "
                + cpus
                + " logical CPUs ("
                + env
                + "); fused tiles on the "
                + NativeTiles.activePath()
                + " path";
    }
}
