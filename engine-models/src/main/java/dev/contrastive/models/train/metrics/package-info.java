/**
 * Training metrics: the same scalars per step (and per epoch) go to a CSV file, to TensorBoard
 * event files, and at the end to PNG loss and accuracy curves.
 *
 * <p>Every sink implements {@link dev.contrastive.models.train.metrics.MetricsSink}; the trainer
 * logs one map of named scalars per step. {@link dev.contrastive.models.train.metrics.CsvMetrics}
 * is the record that resume and {@link dev.contrastive.models.train.metrics.CurvePlots} read back;
 * {@link dev.contrastive.models.train.metrics.TensorBoardWriter} writes the TFRecord-framed
 * {@code Event} protobuf messages that {@code tensorboard --logdir RUN_DIR} reads.
 *
 * <p>Scalar names are also the TensorBoard tags and the CSV column names, so they may not contain
 * commas, quotes or line breaks; {@code "step"} is reserved for the step column. Names containing
 * {@code loss} are drawn on the loss chart and names containing {@code acc} on the accuracy chart.
 */
package dev.contrastive.models.train.metrics;
