package dev.contrastive.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.transform.Presets;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.nn.Parameters;
import dev.contrastive.models.train.checkpoint.Checkpoint;
import dev.contrastive.models.train.checkpoint.CheckpointIO;
import dev.contrastive.models.train.metrics.CsvMetrics;
import dev.contrastive.models.train.metrics.MetricsTable;
import dev.contrastive.models.train.optim.AdamOptions;
import dev.contrastive.models.train.optim.LearningRateSchedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** End-to-end runs of {@link TinyRun}'s tiny AMDIM. */
class TrainerTest {

  private static final AmdimConfig TINY = TinyRun.TINY;
  private static final long MODEL_SEED = TinyRun.MODEL_SEED;
  private static Dataset data;

  @TempDir Path tmp;

  @BeforeAll
  static void openData() throws IOException {
    data = TinyRun.trainImages();
  }

  @AfterAll
  static void closeData() throws IOException {
    data.close();
  }

  private static TrainerConfig config(long steps, long checkpointEvery, Path runDir) {
    return TinyRun.config(steps, checkpointEvery, runDir);
  }

  /** Runs {@code cfg} on a fresh model, collecting each step's loss; the listener may throw. */
  private static List<Double> run(TrainerConfig cfg, StepListener extra) throws IOException {
    List<Double> losses = new ArrayList<>();
    try (AmdimEncoder model = AmdimEncoder.create(TINY, DataType.FLOAT, MODEL_SEED)) {
      new Trainer(cfg, model, data, Presets.fashionMnist().pairs())
          .onStep(m -> {
            losses.add(m.loss());
            extra.onStep(m);
          })
          .fit();
    }
    return losses;
  }

  @Test
  void lossFallsOverThirtySteps() throws IOException {
    List<StepMetrics> seen = new ArrayList<>();
    List<Double> losses = run(config(30, 100, tmp.resolve("run")), seen::add);
    assertEquals(30, losses.size());
    double first = losses.subList(0, 5).stream().mapToDouble(d -> d).average().orElseThrow();
    double last = losses.subList(25, 30).stream().mapToDouble(d -> d).average().orElseThrow();
    System.out.printf("tiny amdim: mean loss of steps 1-5 %.4f, of steps 26-30 %.4f%n", first, last);
    assertTrue(last < first - 0.1, "loss did not fall: " + losses);
    StepMetrics m = seen.get(29);
    assertEquals(30, m.step());
    assertEquals(1, m.epoch());
    assertEquals(2e-3, m.learningRate());
    assertEquals(m.loss(), m.parts().values().stream().mapToDouble(d -> d).sum(), 1e-4);
    assertTrue(m.accuracy() > 0 && m.accuracy() <= 1 && m.gradNorm() > 0 && m.stepsPerSecond() > 0);
    // The end of the run is checkpointed even though 30 is not a multiple of checkpointEvery.
    assertEquals(30, CheckpointIO.latest(tmp.resolve("run")).newest().orElseThrow().checkpoint().step());
  }

  @Test
  void interruptedAndResumedRunGivesTheSameLosses() throws IOException {
    List<Double> straight = run(config(20, 10, tmp.resolve("straight")), m -> {});

    // Crashes after step 13: the checkpoint of step 10 is the newest, steps 11-13 are lost.
    TrainerConfig cfg = config(20, 10, tmp.resolve("resumed"));
    RuntimeException crash = new IllegalStateException("simulated crash");
    List<Double> beforeCrash = new ArrayList<>();
    RuntimeException thrown = assertThrows(RuntimeException.class, () -> run(cfg, m -> {
      beforeCrash.add(m.loss());
      if (m.step() == 13) {
        throw crash;
      }
    }));
    assertEquals(crash, thrown);
    // A new trainer and a new, differently initialised model: everything comes from the checkpoint.
    List<Double> after = new ArrayList<>();
    try (AmdimEncoder model = AmdimEncoder.create(TINY, DataType.FLOAT, MODEL_SEED + 1)) {
      long done = new Trainer(cfg, model, data, Presets.fashionMnist().pairs())
          .onStep(m -> after.add(m.loss()))
          .fit().steps();
      assertEquals(20, done);
    }
    assertEquals(straight.subList(0, 13), beforeCrash);
    assertEquals(straight.subList(10, 20), after, "steps 11-20 after resuming from step 10");
    // The losses do not see the running statistics (training-mode batch norm), the final state does.
    Checkpoint a = CheckpointIO.latest(tmp.resolve("straight")).newest().orElseThrow().checkpoint();
    Checkpoint b = CheckpointIO.latest(tmp.resolve("resumed")).newest().orElseThrow().checkpoint();
    assertEquals(List.of(20L, 1, 4L), List.of(b.step(), b.epoch(), b.positionInEpoch()));
    assertEquals(List.of(a.step(), a.epoch(), a.positionInEpoch()), List.of(b.step(), b.epoch(), b.positionInEpoch()));
    assertEquals(a.tensors(), b.tensors(), "weights, running statistics and Adam moments at step 20");
    assertArrayEquals(a.state().get("adam.step"), b.state().get("adam.step"));
    assertArrayEquals(a.state().get("epoch.sums"), b.state().get("epoch.sums"));
    // The metrics file of the resumed run: steps 11-13 logged before the crash were replaced.
    for (String column : List.of("train/loss", "train/online_acc", "epoch/loss", "epoch/online_acc")) {
      assertEquals(series(tmp.resolve("straight"), column), series(tmp.resolve("resumed"), column), column);
    }
    assertEquals(20, series(tmp.resolve("resumed"), "train/loss").size());
  }

  /** (step, value) pairs of one metrics column, as a comparable list. */
  static List<List<Double>> series(Path runDir, String column) throws IOException {
    return CsvMetrics.read(runDir.resolve(Trainer.METRICS_CSV)).series(column).stream()
        .map(p -> List.of(p[0], p[1])).toList();
  }

  @Test
  void validatesStopsEarlyAndWritesTheRunDirectory() throws IOException {
    Path runDir = tmp.resolve("validated");
    // No validation can improve NCE accuracy by a whole 1.0, so the second one stops the run.
    TrainerConfig cfg = new TrainerConfig(40, 0, 16, 11, 2, 100, runDir.toString(), TINY,
        AmdimOptions.defaults(), AdamOptions.amdim(), new LearningRateSchedule.Constant(2e-3),
        new ValidationOptions(3, 2, new EarlyStopping(EarlyStopping.Monitor.VAL_NCE_ACCURACY, 1, 1.0)), 1e-3);
    List<ValidationMetrics> validations = new ArrayList<>();
    TrainingListener collect = new TrainingListener() {
      @Override
      public void onStep(StepMetrics m) {}

      @Override
      public void onValidation(ValidationMetrics v) {
        validations.add(v);
      }
    };
    TrainingResult result;
    try (Dataset val = TinyRun.testImages(64);
        AmdimEncoder model = AmdimEncoder.create(TINY, DataType.FLOAT, MODEL_SEED)) {
      result = TinyRun.trainer(cfg, model, data).validateOn(val, Presets.fashionMnist().pairs())
          .listen(collect).fit();
      assertEquals(6, result.steps());
      assertTrue(result.earlyStopped());
      assertEquals(List.of(3L, 6L), validations.stream().map(ValidationMetrics::step).toList());
      ValidationMetrics last = validations.get(1);
      assertEquals(last, result.lastValidation().orElseThrow());
      assertEquals(32, last.images(), "2 batches of 16");
      assertTrue(last.loss() > 0 && last.accuracy() >= 0 && last.accuracy() <= 1, last.toString());
      assertTrue(last.onlineAccuracy() >= 0 && last.onlineAccuracy() <= 1, last.toString());
      assertEquals(runDir.resolve(CheckpointIO.fileName(6)), result.checkpoint());

      // A rerun of a run that stopped early trains nothing and reports the same end.
      TrainingResult again = TinyRun.trainer(cfg, model, data).validateOn(val, Presets.fashionMnist().pairs()).fit();
      assertEquals(List.of(6L, true, Optional.of(last)), List.of(again.steps(), again.earlyStopped(),
          again.lastValidation()));
    }
    MetricsTable table = CsvMetrics.read(runDir.resolve(Trainer.METRICS_CSV));
    assertEquals(6, table.rows().size());
    assertTrue(table.columns().containsAll(List.of("train/loss", "train/loss_reg", "train/nce_acc",
        "train/online_acc", "train/lr", "train/grad_norm", "train/steps_per_s", "val/loss", "val/nce_acc",
        "val/online_acc")), table.columns().toString());
    assertEquals(List.of(List.of(3.0, validations.get(0).loss()), List.of(6.0, validations.get(1).loss())),
        series(runDir, "val/loss"));
    assertTrue(Files.size(runDir.resolve("loss.png")) > 1000 && Files.size(runDir.resolve("accuracy.png")) > 1000);
    try (Stream<Path> files = Files.list(runDir)) {
      assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("events.out.tfevents.")),
          "a TensorBoard event file");
    }
  }

  @Test
  void nanStopsTrainingNamingTheStepAndLeavesTheLastCheckpointIntact() throws IOException {
    Path runDir = tmp.resolve("nan");
    TrainerConfig cfg = config(20, 5, runDir);
    byte[][] saved = new byte[1][];
    TrainingDivergedException e;
    try (AmdimEncoder model = AmdimEncoder.create(TINY, DataType.FLOAT, MODEL_SEED)) {
      Trainer trainer = new Trainer(cfg, model, data, Presets.fashionMnist().pairs())
          .onStep(m -> {
            if (m.step() == 5) {
              // After step 5's checkpoint: poison the first conv's weight, so step 6's features are NaN.
              saved[0] = readUnchecked(runDir.resolve(CheckpointIO.fileName(5)));
              model.parameters().get("layer_list.0.conv.weight").value().putScalar(0, Float.NaN);
            }
          });
      e = assertThrows(TrainingDivergedException.class, trainer::fit);
    }
    assertEquals(6, e.step());
    assertEquals("encoder output a_r1", e.tensor());
    assertTrue(e.getMessage().contains("step 6") && e.getMessage().contains("a_r1"), e.getMessage());
    assertArrayEquals(saved[0], Files.readAllBytes(runDir.resolve(CheckpointIO.fileName(5))));
    try (Stream<Path> files = Files.list(runDir)) {
      assertEquals(List.of(CheckpointIO.fileName(5)),
          files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("ckpt-")).toList(),
          "no checkpoint after the bad step");
    }
    assertEquals(5, CsvMetrics.read(runDir.resolve(Trainer.METRICS_CSV)).rows().size(), "no metrics row for step 6");
  }

  @Test
  void refusesToResumeARunDirectoryOfAnotherConfig() throws IOException {
    Path runDir = tmp.resolve("other");
    run(config(2, 1, runDir), m -> {});
    TrainerConfig changed = new TrainerConfig(4, 0, 16, 12, 2, 1, runDir.toString(), TINY,
        AmdimOptions.defaults(), AdamOptions.amdim(), new LearningRateSchedule.Constant(2e-3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(changed, m -> {}));
    assertTrue(e.getMessage().contains("another config"), e.getMessage());
  }

  @Test
  void aNonFiniteGradientIsReportedWithTheParameterName() {
    try (Parameters p = new Parameters(DataType.FLOAT)) {
      p.declare("ok", new long[] {2}, new double[2]);
      p.declare("bad", new long[] {3}, new double[3]);
      p.seal();
      p.get("bad").grad().putScalar(1, Float.POSITIVE_INFINITY);
      TrainingDivergedException e = AmdimStep.divergedGradient(42, p);
      assertEquals(42, e.step());
      assertEquals("gradient of bad", e.tensor());
      assertTrue(e.getMessage().startsWith("training diverged at step 42: gradient of bad"), e.getMessage());
    }
  }

  private static byte[] readUnchecked(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
