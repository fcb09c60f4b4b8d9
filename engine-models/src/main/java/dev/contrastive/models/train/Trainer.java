package dev.contrastive.models.train;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.pipeline.PairBatch;
import dev.contrastive.augment.pipeline.PairProducer;
import dev.contrastive.augment.pipeline.ProducerOptions;
import dev.contrastive.augment.transform.PairTransform;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.nn.Parameters;
import dev.contrastive.models.train.checkpoint.Checkpoint;
import dev.contrastive.models.train.checkpoint.CheckpointIO;
import dev.contrastive.models.train.optim.Adam;
import dev.contrastive.models.train.optim.AdamState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;

/**
 * Trains an AMDIM encoder on a dataset: the caller supplies the model and the data, {@link #fit()}
 * runs the loop.
 *
 * <p>One step: the next {@link PairBatch}; the encoder on view A and its replica on view B; {@link
 * AmdimLoss} with source locations drawn from (seed, step); backward through both views; a check
 * that the loss and every gradient are finite; one Adam update at {@code schedule.rate(step)}.
 *
 * <p><b>Exact resume.</b> Every {@code checkpointEvery} steps and at the end, a checkpoint holds the
 * weights, the batch-norm running statistics, Adam's moments and step count, the step, the epoch
 * and the batches consumed in it, and the config. {@link #fit()} first looks for the newest valid
 * checkpoint in the run directory; if there is one it restores all of that, re-creates the epoch's
 * batch order (it is a function of the seed and the epoch) and skips the batches already consumed.
 * Since the augmentations, the order and the loss's sampling are all functions of (seed, epoch,
 * position, step), the steps after a resume are the steps the uninterrupted run would have taken.
 *
 * <p><b>Divergence.</b> A NaN or infinity in the encoder's outputs, the loss or a gradient ends {@link #fit()} with a
 * {@link TrainingDivergedException} naming the step and the tensor, before the update and without
 * a checkpoint, so the last checkpoint on disk is the last good one. No step is ever skipped.
 *
 * <p><b>Memory.</b> Each step runs inside one ND4J workspace that is reset at the next step, so the
 * activations, the loss's gradients and the encoder's backward arrays reuse the same native memory
 * every step. Closing arrays does not help in ND4J 1.0.0-M2.1 (native memory returns only at
 * garbage collection, see {@code nn.Arena}, which measured about 110 MB of growth per step for the
 * small encoder at batch 64 without a collection). Measured with this loop on the same model and
 * batch (60 steps on the embedded Fashion-MNIST): the resident set stayed at 1471-1480 MB from step
 * 20 to 60, so the encoder's arrays do land in the workspace, and no per-step {@code System.gc()}
 * (about 15 ms) is needed. The parameters, Adam's moments and the batches are allocated outside
 * it (at construction, or on the producer's threads) and outlive it.
 *
 * <p>The model must be float32 (checkpoints store float32, which then round-trips exactly). The
 * trainer does not close the model or the dataset. Not thread-safe.
 */
public final class Trainer {

  /** Checkpoints kept in the run directory; two would do, a third is cheap insurance. */
  private static final int KEEP_CHECKPOINTS = 3;

  private final TrainerConfig config;
  private final AmdimEncoder model;
  private final Dataset dataset;
  private final PairTransform pairs;
  private StepListener listener = m -> {};

  /**
   * @param model the encoder to train, float32 and built with {@code config.encoder()}; on resume
   *     its weights and running statistics are replaced by the checkpoint's
   * @param pairs the paired-view augmentation for {@code dataset}'s images
   */
  public Trainer(TrainerConfig config, AmdimEncoder model, Dataset dataset, PairTransform pairs) {
    if (!model.config().equals(config.encoder())) {
      throw new IllegalArgumentException(
          "trainer: model is " + model.config() + " but the config says " + config.encoder());
    }
    if (model.parameters().dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException(
          "trainer: model must be FLOAT (checkpoints are float32), got " + model.parameters().dataType());
    }
    this.config = config;
    this.model = model;
    this.dataset = dataset;
    this.pairs = pairs;
  }

  /** Replaces the per-step callback. */
  public Trainer onStep(StepListener newListener) {
    this.listener = newListener;
    return this;
  }

  /**
   * Trains to the configured length, resuming from the newest valid checkpoint in the run
   * directory if there is one.
   *
   * @return the number of steps completed (the configured total)
   * @throws TrainingDivergedException on a NaN or infinity in the loss or a gradient
   * @throws IllegalArgumentException if the run directory's checkpoint has another config
   * @throws IOException if a checkpoint cannot be read or written
   */
  public long fit() throws IOException {
    Path runDir = Path.of(config.runDir());
    Files.createDirectories(runDir);
    Parameters params = model.parameters();
    Adam adam = new Adam(config.adam(), params);
    ProducerOptions options = ProducerOptions.of(config.batch(), config.seed()).withThreads(config.threads());
    try (AmdimStep computation = new AmdimStep(model, config.loss());
        PairProducer producer = new PairProducer(dataset, pairs, options)) {
      long total = config.steps() > 0 ? config.steps() : (long) config.epochs() * producer.batchesPerEpoch();
      long step = 0;
      int epoch = 0;
      long position = 0;
      Optional<CheckpointIO.Found> found = CheckpointIO.latest(runDir).newest();
      if (found.isPresent()) {
        Checkpoint c = found.get().checkpoint();
        restore(c, params, adam, found.get().path());
        step = c.step();
        epoch = c.epoch();
        position = c.positionInEpoch();
      }
      Iterator<PairBatch> batches = producer.epoch(epoch);
      for (long skipped = 0; skipped < position; skipped++) {
        batches.next().close();
      }
      long lastSaved = step;
      while (step < total) {
        long started = System.nanoTime();
        if (!batches.hasNext()) {
          epoch++;
          position = 0;
          batches = producer.epoch(epoch);
        }
        step++;
        StepMetrics metrics;
        try (PairBatch batch = batches.next();
            MemoryWorkspace ws = AmdimStep.openWorkspace()) {
          metrics = step(step, epoch, batch, computation, adam, params, started);
        }
        position++;
        if (step % config.checkpointEvery() == 0 || step == total) {
          save(runDir, step, epoch, position, params, adam);
          lastSaved = step;
        }
        listener.onStep(metrics);
      }
      if (lastSaved != step) {
        save(runDir, step, epoch, position, params, adam);
      }
      return step;
    }
  }

  private StepMetrics step(long step, int epoch, PairBatch batch, AmdimStep computation, Adam adam,
      Parameters params, long started) {
    AmdimStep.Outcome o = computation.trainingStep(step, batch, stepSeed(step));
    double lr = config.schedule().rate(adam.stepCount() + 1);
    adam.step(params, lr);
    double seconds = (System.nanoTime() - started) / 1e9;
    return new StepMetrics(step, epoch, o.loss(), o.parts(), o.accuracy(), lr, o.gradNorm(), 1 / seconds);
  }

  /**
   * The seed of step {@code step}'s source locations: a SplitMix64 finaliser of (seed, step), so
   * neighbouring steps and seeds draw unrelated locations and a resumed step draws the same ones.
   */
  private long stepSeed(long step) {
    long z = config.seed() + step * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private void save(Path runDir, long step, int epoch, long position, Parameters params, Adam adam)
      throws IOException {
    AdamState s = adam.exportState();
    Map<String, Checkpoint.Tensor> tensors = new LinkedHashMap<>();
    tensors.put("params", vector(params.flatValues().toFloatVector()));
    tensors.put("buffers", vector(params.flatBuffers().toFloatVector()));
    tensors.put("adam.m", vector(toFloat(s.m())));
    tensors.put("adam.v", vector(toFloat(s.v())));
    Checkpoint c = new Checkpoint(step, epoch, position, config.toJson(), tensors,
        Map.of("adam.step", new long[] {s.step()}), Map.of("writer", Trainer.class.getName()));
    CheckpointIO.write(runDir.resolve(CheckpointIO.fileName(step)), c);
    CheckpointIO.retain(runDir, KEEP_CHECKPOINTS);
  }

  private void restore(Checkpoint c, Parameters params, Adam adam, Path from) {
    TrainerConfig saved = TrainerConfig.fromJson(c.config());
    if (!saved.equals(config)) {
      throw new IllegalArgumentException(
          "trainer: " + from + " was written by a run with another config; use a new run directory."
              + "\n  checkpoint: " + c.config() + "\n  this run:   " + config.toJson());
    }
    TrainedEncoder.assign(params.flatValues(), c, "params", from);
    TrainedEncoder.assign(params.flatBuffers(), c, "buffers", from);
    long[] adamStep = c.state().get("adam.step");
    if (adamStep == null || adamStep.length != 1) {
      throw new IllegalArgumentException("trainer: " + from + " has no 'adam.step' counter");
    }
    adam.importState(new AdamState(adamStep[0], toDouble(TrainedEncoder.tensor(c, "adam.m", from)),
        toDouble(TrainedEncoder.tensor(c, "adam.v", from))));
  }

  private static Checkpoint.Tensor vector(float[] data) {
    return new Checkpoint.Tensor(new long[] {data.length}, data);
  }

  /** Exact: the moments were computed in float32, so the doubles hold float values. */
  private static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
