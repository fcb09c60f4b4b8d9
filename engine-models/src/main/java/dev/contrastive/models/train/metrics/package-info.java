/**
 * Training metrics: the same scalars per step (and per epoch) go to a CSV file and to TensorBoard
 * event files.
 *
 * <p>Every sink implements {@link dev.contrastive.models.train.metrics.MetricsSink}; the trainer
 * logs one map of named scalars per step. {@link dev.contrastive.models.train.metrics.CsvMetrics}
 * is the record that resume reads back and that charts are drawn from (the command line's PNG
 * curves); {@link dev.contrastive.models.train.metrics.TensorBoardWriter} writes the
 * TFRecord-framed {@code Event} protobuf messages that {@code tensorboard --logdir RUN_DIR} reads.
 *
 * <p>Scalar names are also the TensorBoard tags and the CSV column names, so they may not contain
 * commas, quotes or line breaks; {@code "step"} is reserved for the step column. The command line
 * draws names containing {@code loss} on its loss chart and names containing {@code acc} on its
 * accuracy chart.
 */
package dev.contrastive.models.train.metrics;
