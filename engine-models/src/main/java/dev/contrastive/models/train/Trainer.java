package dev.contrastive.models.train;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.pipeline.PairBatch;
import dev.contrastive.augment.pipeline.PairProducer;
import dev.contrastive.augment.pipeline.ProducerOptions;
import dev.contrastive.augment.transform.PairTransform;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.nn.Parameters;
import dev.contrastive.models.train.checkpoint.Checkpoint;
import dev.contrastive.models.train.checkpoint.CheckpointFormatException;
import dev.contrastive.models.train.checkpoint.CheckpointIO;
import dev.contrastive.models.train.metrics.CsvMetrics;
import dev.contrastive.models.train.metrics.CurvePlots;
import dev.contrastive.models.train.metrics.TensorBoardWriter;
import dev.contrastive.models.train.optim.Adam;
import dev.contrastive.models.train.optim.AdamState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains an AMDIM encoder on a dataset: the caller supplies the model and the data, {@link #fit()}
 * runs the loop, as in Lightning's {@code Trainer.fit(model, train, val)}.
 *
 * <p>One step: the next {@link PairBatch}; {@link AmdimStep} (the encoder on view A and its replica
 * on view B, {@link dev.contrastive.core.loss.AmdimLoss} with source locations drawn from (seed,
 * step), backward through both views, checks that the loss and every gradient are finite); one Adam
 * update at {@code schedule.rate(step)}; and, for a labelled dataset, one update of the {@link
 * OnlineEvaluator} on the detached r1 features.
 *
 * <p><b>Run directory.</b> Everything a run writes goes to {@code config.runDir()}: checkpoints
 * ({@code ckpt-*.ckpt}), {@code metrics.csv} (per step {@code train/*}, per epoch {@code epoch/*},
 * per validation {@code val/*}), TensorBoard event files ({@code tensorboard --logdir RUN_DIR}), and
 * at the end {@code loss.png} and {@code accuracy.png}.
 *
 * <p><b>Validation.</b> Given validation data ({@link #validateOn}), the trainer validates every
 * {@code validation.every()} steps (or at each epoch end) and after the last step: the mean loss
 * and NCE accuracy of fixed validation pairs with the encoder in evaluation mode, and the online
 * evaluator's accuracy on them. {@link EarlyStopping} ends the run when the monitored metric has
 * not improved for {@code patience} validations; a rerun of a run that stopped early does nothing.
 *
 * <p><b>Exact resume.</b> Every {@code checkpointEvery} steps and at the end, a checkpoint holds the
 * weights, the batch-norm running statistics, Adam's moments and step count, the online
 * evaluator's weights and moments, the early-stopping state, the running per-epoch sums, the step,
 * the epoch and the batches consumed in it, and the config. {@link #fit()} first looks for the
 * newest valid checkpoint in the run directory (a damaged newer file is reported and skipped); if
 * there is one it restores all of that, re-creates the epoch's batch order (a function of the seed
 * and the epoch) and skips the batches already consumed. Since the augmentations, the order and
 * the loss's sampling are all functions of (seed, epoch, position, step), the steps after a resume
 * are the steps the uninterrupted run would have taken. The metrics CSV drops the rows a killed
 * run logged after its last checkpoint, so the resumed run's rows replace them.
 *
 * <p><b>Divergence.</b> A NaN or infinity in the encoder's outputs, the loss or a gradient ends
 * {@link #fit()} with a {@link TrainingDivergedException} naming the step and the tensor, before
 * the update and without a checkpoint, so the last checkpoint on disk is the last good one. No
 * step is ever skipped.
 *
 * <p><b>Memory.</b> Each step runs inside one ND4J workspace that is reset at the next step
 * ({@link AmdimStep#openWorkspace()}), so the activations, the loss's gradients and the encoder's
 * backward arrays reuse the same native memory every step. What a step still allocates outside it
 * (the producer's batches, a few small op results) returns its native memory only when the Java
 * objects are collected, since {@code INDArray.close()} does not free in ND4J 1.0.0-M2.1 (see
 * {@code nn.Arena}); a step makes too little heap garbage for collections to come by themselves,
 * so the trainer collects every {@value #NATIVE_GC_EVERY} steps. The parameters, Adam's moments and
 * the online evaluator live outside the workspace for the whole run.
 *
 * <p>The model must be float32 (checkpoints store float32, which then round-trips exactly). The
 * trainer does not close the model or the datasets. Not thread-safe.
 */
public final class Trainer {

  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  /** Checkpoints kept in the run directory; two would do, a third is cheap insurance. */
  private static final int KEEP_CHECKPOINTS = 3;

  /** Mixed into the seed for the validation pairs, so they differ from any training epoch's. */
  private static final long VALIDATION_SEED_SALT = 0x5EED_0F_7E57L;

  /**
   * Steps between two garbage collections. ND4J returns the native memory of arrays made outside a
   * workspace (the producer's batches, small results of ops) only when their Java objects are
   * collected, and a step makes too little heap garbage for collections to come by themselves:
   * measured on the encoder's forward and backward, 0.35 MB of resident memory per step without a
   * collection and 0.08 MB with one every 50 steps; a collection costs about 15 ms, 0.3 ms a step.
   */
  static final int NATIVE_GC_EVERY = 50;

  /** The metrics file in the run directory. */
  public static final String METRICS_CSV = "metrics.csv";

  private final TrainerConfig config;
  private final AmdimEncoder model;
  private final Dataset dataset;
  private final PairTransform pairs;
  private Dataset validationData;
  private PairTransform validationPairs;
  private final List<TrainingListener> listeners = new ArrayList<>();
  private Duration timeLimit;

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

  /**
   * Validates on {@code data}'s images, paired by {@code validationPairs} with a fixed seed, as
   * {@code config.validation()} says.
   */
  public Trainer validateOn(Dataset data, PairTransform validationPairTransform) {
    this.validationData = data;
    this.validationPairs = validationPairTransform;
    return this;
  }

  /**
   * Ends {@link #fit()} after the first step that finishes past {@code limit} of wall time in this
   * process, with a checkpoint and a validation, as Lightning's {@code max_time}: how far such a run
   * gets depends on the machine, so the limit is not part of the config. Rerunning continues.
   */
  public Trainer withTimeLimit(Duration limit) {
    if (limit == null || limit.isNegative() || limit.isZero()) {
      throw new IllegalArgumentException("trainer.timeLimit must be positive, got " + limit);
    }
    this.timeLimit = limit;
    return this;
  }

  /** Adds a per-step callback. */
  public Trainer onStep(StepListener listener) {
    listeners.add(listener::onStep);
    return this;
  }

  /** Adds a listener of the run's start, steps, validations and end. */
  public Trainer listen(TrainingListener listener) {
    listeners.add(listener);
    return this;
  }

  /**
   * Trains to the configured length or until early stopping, resuming from the newest valid
   * checkpoint in the run directory if there is one.
   *
   * @throws TrainingDivergedException on a NaN or infinity in the loss or a gradient
   * @throws IllegalArgumentException if the run directory's checkpoint has another config
   * @throws IOException if a checkpoint or a metrics file cannot be read or written
   */
  public TrainingResult fit() throws IOException {
    Path runDir = Path.of(config.runDir());
    Files.createDirectories(runDir);
    Parameters params = model.parameters();
    Adam adam = new Adam(config.adam(), params);
    int classes = dataset.info().classes();
    boolean online = config.onlineProbeLr() > 0 && classes >= 2;
    ProducerOptions options = ProducerOptions.of(config.batch(), config.seed()).withThreads(config.threads());
    try (AmdimStep computation = new AmdimStep(model, config.loss());
        OnlineEvaluator probe = online
            ? new OnlineEvaluator(config.encoder().nRkhs(), classes, config.onlineProbeLr()) : null;
        PairProducer producer = new PairProducer(dataset, pairs, options);
        PairProducer validation = validationData == null ? null : new PairProducer(validationData,
            validationPairs, ProducerOptions.of(config.batch(), config.seed() ^ VALIDATION_SEED_SALT)
                .withThreads(config.threads()).withShuffle(false))) {
      RunState state = new RunState();
      CheckpointIO.Scan scan = CheckpointIO.latest(runDir);
      for (CheckpointFormatException rejected : scan.rejected()) {
        LOG.warn("skipping damaged checkpoint: {}", rejected.getMessage());
      }
      Optional<CheckpointIO.Found> found = scan.newest();
      Path lastCheckpoint = null;
      if (found.isPresent()) {
        restore(found.get().checkpoint(), params, adam, probe, state, found.get().path());
        lastCheckpoint = found.get().path();
        LOG.info("resuming from {} (step {}, epoch {})", lastCheckpoint, state.step, state.epoch);
      }
      long total = config.steps() > 0 ? config.steps() : (long) config.epochs() * producer.batchesPerEpoch();
      for (TrainingListener l : listeners) {
        l.onStart(state.step, total);
      }
      if (state.stoppedEarly) {
        LOG.info("this run stopped early at step {}; nothing to do", state.step);
      }
      Iterator<PairBatch> batches = producer.epoch(state.epoch);
      for (long skipped = 0; skipped < state.position; skipped++) {
        batches.next().close();
      }
      long lastSaved = state.step;
      try (CsvMetrics csv = CsvMetrics.open(runDir.resolve(METRICS_CSV), state.step + 1);
          TensorBoardWriter tensorBoard = new TensorBoardWriter(runDir)) {
        long deadline = timeLimit == null ? Long.MAX_VALUE : System.nanoTime() + timeLimit.toNanos();
        boolean timeUp = false;
        while (state.step < total && !state.stoppedEarly && !timeUp) {
          long started = System.nanoTime();
          if (!batches.hasNext()) {
            state.epoch++;
            state.position = 0;
            batches = producer.epoch(state.epoch);
          }
          state.step++;
          StepMetrics metrics;
          try (PairBatch batch = batches.next(); MemoryWorkspace ws = AmdimStep.openWorkspace()) {
            metrics = step(state, batch, computation, adam, params, probe, started);
          }
          state.position++;
          releaseNativeGarbage(state.step);
          Map<String, Double> scalars = metrics.scalars();
          state.epochSums.add(metrics);
          boolean epochEnds = !batches.hasNext();
          if (epochEnds) {
            scalars.putAll(state.epochSums.means());
            state.epochSums = new EpochSums();
          }
          ValidationMetrics validated = null;
          long every = config.validation().every();
          timeUp = System.nanoTime() >= deadline;
          boolean last = state.step == total || timeUp;
          if (validation != null && ((every > 0 ? state.step % every == 0 : epochEnds) || last)) {
            validated = validate(state.step, validation, computation, probe);
            scalars.putAll(validated.scalars());
            state.lastValidation = validated;
            state.earlyStopping(config.validation().earlyStopping(), validated);
          }
          // Metrics before the checkpoint: a crash in between re-logs this step on resume.
          csv.log(state.step, scalars);
          tensorBoard.log(state.step, scalars);
          if (state.step % config.checkpointEvery() == 0 || last || state.stoppedEarly) {
            lastCheckpoint = save(runDir, state, params, adam, probe);
            lastSaved = state.step;
          }
          for (TrainingListener l : listeners) {
            l.onStep(metrics);
            if (validated != null) {
              l.onValidation(validated);
            }
          }
        }
        if (lastSaved != state.step || lastCheckpoint == null) {
          lastCheckpoint = save(runDir, state, params, adam, probe);
        }
        if (timeUp && state.step < total) {
          LOG.info("time limit of {} reached at step {} of {}", timeLimit, state.step, total);
        }
      }
      CurvePlots.write(runDir.resolve(METRICS_CSV), runDir);
      TrainingResult result = new TrainingResult(state.step, total, state.stoppedEarly,
          Optional.ofNullable(state.lastValidation), lastCheckpoint);
      for (TrainingListener l : listeners) {
        l.onEnd(result);
      }
      return result;
    }
  }

  private StepMetrics step(RunState state, PairBatch batch, AmdimStep computation, Adam adam,
      Parameters params, OnlineEvaluator probe, long started) {
    AmdimStep.Outcome o = computation.trainingStep(state.step, batch, stepSeed(state.step));
    double lr = config.schedule().rate(adam.stepCount() + 1);
    adam.step(params, lr);
    double onlineAccuracy = probe == null || batch.labels() == null
        ? Double.NaN : probe.trainStep(o.r1(), batch.labels());
    double seconds = (System.nanoTime() - started) / 1e9;
    return new StepMetrics(state.step, state.epoch, o.loss(), o.parts(), o.accuracy(), lr, o.gradNorm(),
        1 / seconds, onlineAccuracy);
  }

  /** Collects garbage every {@link #NATIVE_GC_EVERY} steps, so native memory freed only by it is returned. */
  static void releaseNativeGarbage(long step) {
    if (step % NATIVE_GC_EVERY == 0) {
      System.gc();
    }
  }

  /** Means over the fixed validation pairs, the encoder in evaluation mode; nothing is updated. */
  private ValidationMetrics validate(long step, PairProducer validation, AmdimStep computation,
      OnlineEvaluator probe) {
    int limit = config.validation().maxBatches();
    double lossSum = 0;
    double accuracySum = 0;
    double onlineCorrect = 0;
    long onlineImages = 0;
    long images = 0;
    int batchesSeen = 0;
    Iterator<PairBatch> batches = validation.epoch(0);
    while (batches.hasNext() && (limit == 0 || batchesSeen < limit)) {
      try (PairBatch batch = batches.next(); MemoryWorkspace ws = AmdimStep.openWorkspace()) {
        AmdimStep.Outcome o = computation.evaluate(batch, stepSeed(-1 - batchesSeen));
        lossSum += o.loss() * batch.size();
        accuracySum += o.accuracy() * batch.size();
        images += batch.size();
        if (probe != null && batch.labels() != null) {
          double accuracy = probe.accuracy(o.r1(), batch.labels());
          if (!Double.isNaN(accuracy)) {
            onlineCorrect += accuracy * batch.size();
            onlineImages += batch.size();
          }
        }
      }
      batchesSeen++;
    }
    return new ValidationMetrics(step, lossSum / images, accuracySum / images,
        onlineImages == 0 ? Double.NaN : onlineCorrect / onlineImages, images);
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

  private Path save(Path runDir, RunState state, Parameters params, Adam adam, OnlineEvaluator probe)
      throws IOException {
    AdamState s = adam.exportState();
    Map<String, Checkpoint.Tensor> tensors = new LinkedHashMap<>();
    tensors.put("params", vector(params.flatValues().toFloatVector()));
    tensors.put("buffers", vector(params.flatBuffers().toFloatVector()));
    tensors.put("adam.m", vector(toFloat(s.m())));
    tensors.put("adam.v", vector(toFloat(s.v())));
    Map<String, long[]> counters = new LinkedHashMap<>();
    counters.put("adam.step", new long[] {s.step()});
    if (probe != null) {
      AdamState o = probe.optimizer().exportState();
      tensors.put("online.params", vector(probe.flatWeights().toFloatVector()));
      tensors.put("online.adam.m", vector(toFloat(o.m())));
      tensors.put("online.adam.v", vector(toFloat(o.v())));
      counters.put("online.adam.step", new long[] {o.step()});
    }
    state.exportTo(counters);
    Checkpoint c = new Checkpoint(state.step, state.epoch, state.position, config.toJson(), tensors,
        counters, Map.of("writer", Trainer.class.getName()));
    Path file = runDir.resolve(CheckpointIO.fileName(state.step));
    CheckpointIO.write(file, c);
    CheckpointIO.retain(runDir, KEEP_CHECKPOINTS);
    return file;
  }

  private void restore(Checkpoint c, Parameters params, Adam adam, OnlineEvaluator probe, RunState state,
      Path from) {
    if (!config.continues(TrainerConfig.fromJson(c.config()))) {
      throw new IllegalArgumentException(
          "trainer: " + from + " was written by a run with another config; use a new run directory."
              + "\n  checkpoint: " + c.config() + "\n  this run:   " + config.toJson());
    }
    TrainedEncoder.assign(params.flatValues(), c, "params", from);
    TrainedEncoder.assign(params.flatBuffers(), c, "buffers", from);
    adam.importState(adamState(c, "adam", from));
    if (probe != null) {
      probe.restore(TrainedEncoder.tensor(c, "online.params", from), adamState(c, "online.adam", from));
    }
    state.step = c.step();
    state.epoch = c.epoch();
    state.position = c.positionInEpoch();
    state.importFrom(c.state(), from);
  }

  private static AdamState adamState(Checkpoint c, String prefix, Path from) {
    long[] step = c.state().get(prefix + ".step");
    if (step == null || step.length != 1) {
      throw new IllegalArgumentException("trainer: " + from + " has no '" + prefix + ".step' counter");
    }
    return new AdamState(step[0], toDouble(TrainedEncoder.tensor(c, prefix + ".m", from)),
        toDouble(TrainedEncoder.tensor(c, prefix + ".v", from)));
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

  /** Per-epoch running sums of the step scalars, checkpointed so a resumed epoch's means are exact. */
  private static final class EpochSums {
    double loss;
    double accuracy;
    double online;
    long steps;
    long onlineSteps;

    void add(StepMetrics m) {
      loss += m.loss();
      accuracy += m.accuracy();
      steps++;
      if (!Double.isNaN(m.onlineAccuracy())) {
        online += m.onlineAccuracy();
        onlineSteps++;
      }
    }

    Map<String, Double> means() {
      Map<String, Double> s = new LinkedHashMap<>();
      s.put("epoch/loss", loss / steps);
      s.put("epoch/nce_acc", accuracy / steps);
      if (onlineSteps > 0) {
        s.put("epoch/online_acc", online / onlineSteps);
      }
      return s;
    }

    long[] bits() {
      return new long[] {Double.doubleToRawLongBits(loss), Double.doubleToRawLongBits(accuracy),
          Double.doubleToRawLongBits(online), steps, onlineSteps};
    }

    static EpochSums fromBits(long[] b) {
      EpochSums s = new EpochSums();
      s.loss = Double.longBitsToDouble(b[0]);
      s.accuracy = Double.longBitsToDouble(b[1]);
      s.online = Double.longBitsToDouble(b[2]);
      s.steps = b[3];
      s.onlineSteps = b[4];
      return s;
    }
  }

  /** Where the run is: everything besides the tensors that a checkpoint must restore. */
  private static final class RunState {
    long step;
    int epoch;
    long position;
    EpochSums epochSums = new EpochSums();
    double bestMonitored = Double.NaN;
    long validationsWithoutImprovement;
    boolean stoppedEarly;
    ValidationMetrics lastValidation;

    void earlyStopping(EarlyStopping rule, ValidationMetrics v) {
      if (!rule.enabled()) {
        return;
      }
      double value = v.value(rule.monitor());
      if (rule.improves(value, bestMonitored)) {
        bestMonitored = value;
        validationsWithoutImprovement = 0;
      } else if (++validationsWithoutImprovement >= rule.patience()) {
        stoppedEarly = true;
        LOG.info("early stopping at step {}: {} has not improved on {} for {} validations",
            step, rule.monitor().metric(), bestMonitored, validationsWithoutImprovement);
      }
    }

    void exportTo(Map<String, long[]> counters) {
      counters.put("epoch.sums", epochSums.bits());
      counters.put("earlyStopping", new long[] {Double.doubleToRawLongBits(bestMonitored),
          validationsWithoutImprovement, stoppedEarly ? 1 : 0});
      if (lastValidation != null) {
        counters.put("validation.last", new long[] {lastValidation.step(),
            Double.doubleToRawLongBits(lastValidation.loss()), Double.doubleToRawLongBits(lastValidation.accuracy()),
            Double.doubleToRawLongBits(lastValidation.onlineAccuracy()), lastValidation.images()});
      }
    }

    void importFrom(Map<String, long[]> counters, Path from) {
      long[] sums = counters.get("epoch.sums");
      long[] stopping = counters.get("earlyStopping");
      if (sums == null || sums.length != 5 || stopping == null || stopping.length != 3) {
        throw new IllegalArgumentException("trainer: " + from
            + " lacks the 'epoch.sums' (5) or 'earlyStopping' (3) counters of a trainer checkpoint");
      }
      epochSums = EpochSums.fromBits(sums);
      bestMonitored = Double.longBitsToDouble(stopping[0]);
      validationsWithoutImprovement = stopping[1];
      stoppedEarly = stopping[2] == 1;
      long[] v = counters.get("validation.last");
      if (v != null && v.length == 5) {
        lastValidation = new ValidationMetrics(v[0], Double.longBitsToDouble(v[1]), Double.longBitsToDouble(v[2]),
            Double.longBitsToDouble(v[3]), v[4]);
      }
    }
  }
}
