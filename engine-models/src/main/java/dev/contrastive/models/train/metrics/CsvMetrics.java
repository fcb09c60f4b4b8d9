package dev.contrastive.models.train.metrics;

import dev.contrastive.core.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Metrics as a CSV file: a header {@code step,<name>,...} then one row per {@link #log} call.
 *
 * <p>Columns come from the first row's keys in iteration order. A later row that brings a new name
 * (per-epoch validation metrics first appear at the end of epoch 1) rewrites the file with the
 * column appended, through {@link AtomicFiles} so a crash or a full disk leaves either the old or
 * the new file; earlier rows get an empty cell there. A row that lacks a known name also gets an
 * empty cell. Values are written with {@link Double#toString}, which reads back bit-exact.
 *
 * <p>Each row is appended and flushed to the operating system before {@link #log} returns, so a
 * killed process keeps every row it logged. An append cut short (a full disk) leaves a last line
 * without its newline, which {@link #open} drops on resume.
 */
public final class CsvMetrics implements MetricsSink {

    static final String STEP = "step";

    private final Path file;
    private final List<String> columns;
    private Writer out;

    private CsvMetrics(Path file, List<String> columns, Writer out) {
        this.file = file;
        this.columns = columns;
        this.out = out;
    }

    /**
     * Opens {@code file} for a run that starts (or resumes) at {@code resumeStep}. An existing file
     * keeps its columns and its rows with step &lt; {@code resumeStep}; the rows a killed run logged
     * after its last checkpoint are dropped, because the resumed run logs those steps again.
     *
     * @param file the CSV file, created with its parent folders if missing
     * @param resumeStep the first step this run will log; 0 for a fresh run
     * @throws IOException if the file cannot be read or written, or is not a metrics CSV
     */
    public static CsvMetrics open(Path file, long resumeStep) throws IOException {
        if (resumeStep < 0) {
            throw new IllegalArgumentException("resumeStep must be >= 0, got " + resumeStep);
        }
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        List<String> columns = new ArrayList<>();
        if (Files.exists(file)) {
            MetricsTable old = parse(file, completeLines(file));
            columns.addAll(old.columns());
            List<MetricsTable.Row> kept = new ArrayList<>();
            for (MetricsTable.Row row : old.rows()) {
                if (row.step() < resumeStep) {
                    kept.add(row);
                }
            }
            rewrite(file, columns, kept);
        }
        Writer out = Files.newBufferedWriter(
                file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return new CsvMetrics(file, columns, out);
    }

    @Override
    public void log(long step, Map<String, Double> scalars) throws IOException {
        if (out == null) {
            throw new IllegalStateException("CSV metrics " + file + " is closed");
        }
        List<String> added = new ArrayList<>();
        for (Map.Entry<String, Double> e : scalars.entrySet()) {
            checkName(e.getKey());
            Objects.requireNonNull(e.getValue(), () -> "metric '" + e.getKey() + "' has no value");
            if (!columns.contains(e.getKey())) {
                added.add(e.getKey());
            }
        }
        if (!added.isEmpty()) {
            boolean fresh = columns.isEmpty();
            columns.addAll(added);
            if (fresh) {
                writeHeader(out, columns);
            } else {
                // The header is the first line, so a new column means rewriting what is already there.
                out.close();
                out = null;
                rewrite(file, columns, read(file).rows());
                out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            }
        }
        writeRow(out, columns, step, scalars);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
    }

    /**
     * Reads a file written by this class.
     *
     * @throws IOException if it cannot be read, or a line is not a well-formed metrics row
     */
    public static MetricsTable read(Path file) throws IOException {
        return parse(file, Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    /** The lines of {@code file} less a last one without its newline: a row whose append failed. */
    private static List<String> completeLines(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(text.lines().toList());
        if (!text.isEmpty() && !text.endsWith("\n")) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    private static MetricsTable parse(Path file, List<String> lines) throws IOException {
        if (lines.isEmpty()) {
            return new MetricsTable(List.of(), List.of());
        }
        String[] header = lines.get(0).split(",", -1);
        if (!header[0].equals(STEP)) {
            throw new IOException(file + ": not a metrics CSV, first column is '" + header[0] + "'");
        }
        List<String> columns = List.of(header).subList(1, header.length);
        List<MetricsTable.Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            String[] cells = line.split(",", -1);
            if (cells.length != header.length) {
                throw new IOException(
                        file + " line " + (i + 1) + ": " + cells.length + " cells, header has " + header.length);
            }
            try {
                Map<String, Double> values = new HashMap<>();
                for (int c = 1; c < cells.length; c++) {
                    if (!cells[c].isEmpty()) {
                        values.put(header[c], Double.parseDouble(cells[c]));
                    }
                }
                rows.add(new MetricsTable.Row(Long.parseLong(cells[0]), values));
            } catch (NumberFormatException e) {
                throw new IOException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return new MetricsTable(columns, rows);
    }

    private static void checkName(String name) {
        if (name.isEmpty()
                || name.equals(STEP)
                || name.chars().anyMatch(ch -> ch == ',' || ch == '"' || ch == '\n' || ch == '\r')) {
            throw new IllegalArgumentException(
                    "metric name '" + name + "' must be non-empty, not 'step', and free of , \" and newlines");
        }
    }

    private static void rewrite(Path file, List<String> columns, List<MetricsTable.Row> rows) throws IOException {
        AtomicFiles.write(file, out -> {
            try (Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
                if (!columns.isEmpty()) {
                    writeHeader(w, columns);
                }
                for (MetricsTable.Row row : rows) {
                    writeRow(w, columns, row.step(), row.values());
                }
            }
        });
    }

    private static void writeHeader(Writer w, List<String> columns) throws IOException {
        w.write(STEP);
        for (String c : columns) {
            w.write(',');
            w.write(c);
        }
        w.write('\n');
    }

    private static void writeRow(Writer w, List<String> columns, long step, Map<String, Double> v) throws IOException {
        StringBuilder line = new StringBuilder().append(step);
        for (String c : columns) {
            line.append(',');
            Double x = v.get(c);
            if (x != null) {
                line.append(x);
            }
        }
        w.write(line.append('\n').toString());
    }
}
