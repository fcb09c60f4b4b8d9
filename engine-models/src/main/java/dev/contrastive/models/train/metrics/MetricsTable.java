package dev.contrastive.models.train.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Metrics as read back from a CSV file.
 *
 * @param columns the scalar names in column order, without the step column
 * @param rows one row per logged step, in file order
 */
public record MetricsTable(List<String> columns, List<Row> rows) {

    public MetricsTable {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
    }

    /**
     * One logged step.
     *
     * @param step the step
     * @param values name to value for the scalars logged at this step; a column left empty at this
     *     step (logged only at other steps, such as per-epoch metrics) has no entry
     */
    public record Row(long step, Map<String, Double> values) {
        public Row {
            values = Map.copyOf(values);
        }
    }

    /** The (step, value) points of one column, skipping the steps where it was not logged. */
    public List<double[]> series(String column) {
        List<double[]> points = new ArrayList<>();
        for (Row row : rows) {
            Double v = row.values().get(column);
            if (v != null) {
                points.add(new double[] {row.step(), v});
            }
        }
        return points;
    }
}
