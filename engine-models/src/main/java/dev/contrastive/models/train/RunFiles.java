package dev.contrastive.models.train;

import dev.contrastive.models.train.metrics.CsvMetrics;
import dev.contrastive.models.train.metrics.TensorBoardWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The metrics a run directory keeps: one {@code metrics.csv} row and one TensorBoard event per step
 * (its step, epoch and validation scalars together). On resume the CSV drops the rows a killed run
 * logged after its last checkpoint, which the resumed run logs again. Charts are the application's
 * to draw from the CSV (the command line's {@code train} draws PNG curves).
 */
final class RunFiles implements TrainingListener {

    private final Path runDir;
    private CsvMetrics csv;
    private TensorBoardWriter tensorBoard;

    RunFiles(Path runDir) {
        this.runDir = runDir;
    }

    @Override
    public void onStart(RunStart start) {
        try {
            csv = CsvMetrics.open(runDir.resolve(Trainer.METRICS_CSV), start.completed() + 1);
            tensorBoard = new TensorBoardWriter(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the metrics of run " + runDir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onStep(StepReport report) {
        long step = report.metrics().step();
        try {
            csv.log(step, report.scalars());
            tensorBoard.log(step, report.scalars());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write the metrics of step " + step + " to " + runDir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onEnd(TrainingResult result) {
        closeWriters();
    }

    @Override
    public void close() {
        closeWriters();
    }

    private void closeWriters() {
        try {
            if (csv != null) {
                csv.close();
            }
            if (tensorBoard != null) {
                tensorBoard.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the metrics of " + runDir + ": " + e.getMessage(), e);
        } finally {
            csv = null;
            tensorBoard = null;
        }
    }
}
