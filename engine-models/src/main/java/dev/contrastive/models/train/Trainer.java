package dev.contrastive.models.train;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.DatasetInfo;
import dev.contrastive.augment.pipeline.PairBatch;
import dev.contrastive.augment.pipeline.PairProducer;
import dev.contrastive.augment.pipeline.ProducerOptions;
import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.augment.transform.PairTransform;
import dev.contrastive.augment.transform.Presets;
import dev.contrastive.core.EngineVersion;
import dev.contrastive.core.io.Closeables;
import dev.contrastive.core.memory.NativeMemory;
import dev.contrastive.core.parallel.Collectives;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.StepOutcome;
import dev.contrastive.models.method.TrainingDivergedException;
import dev.contrastive.models.nn.Parameters;
import dev.contrastive.models.parallel.DataParallel;
import dev.contrastive.models.train.RunStart.StartMode;
import dev.contrastive.models.train.checkpoint.Checkpoint;
import dev.contrastive.models.train.checkpoint.CheckpointFormatException;
import dev.contrastive.models.train.checkpoint.CheckpointIO;
import dev.contrastive.models.train.optim.Adam;
import dev.contrastive.models.train.optim.AdamState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 * Trains a {@link Method} on a dataset: the caller supplies the method and the data, {@link #fit()}
 * runs the loop, as Lightning's {@code Trainer.fit(model, data)}.
 *
 * <p>One step: the next {@link PairBatch} of the config's augmentation preset; the method's {@link
 * Method#forwardBackward} (loss with random choices drawn from (seed, step), finite checks); one
 * Adam update at {@code config.learningRate(step)}; and, for a labelled dataset, one update of the
 * {@link OnlineEvaluator} on the step's detached probe features. Then the listeners ({@link
 * TrainingListener}): progress, metrics files, early stopping, the periodic native-memory
 * collection.
 *
 * <p><b>Where a run lives.</b> By default in memory: nothing is written, and when {@link #fit()}
 * returns the method's parameters hold the trained weights. {@link #inDirectory} makes it a run
 * directory instead, {@link RunMode#NEW}, {@link RunMode#RESUME} or {@link RunMode#RESUME_OR_NEW}:
 * checkpoints ({@code ckpt-000000100.bin}), {@code metrics.csv} (per step {@code train/*}, per
 * epoch {@code epoch/*}, per validation {@code val/*}) and TensorBoard event files; the trainer
 * draws no charts (the command line's {@code train} draws {@code loss.png} and {@code accuracy.png}
 * from {@code metrics.csv} at the end). {@link TrainingResult#start()} says which it was. One
 * trainer at a time: {@link #fit()} holds an operating-system lock on the directory ({@code .lock},
 * released when the process dies). A resume must see the same training data: the checkpoint records
 * the data's size, shape and a hash of its first records, and a mismatch is refused.
 *
 * <p><b>Validation.</b> Given validation data ({@link #validateOn}), the trainer validates every
 * {@code validation.every()} steps (or at each epoch end) and after the last step: the mean loss
 * and NCE accuracy of fixed validation pairs in evaluation mode, and the online evaluator's
 * accuracy on them. {@link EarlyStopping} ends the run when the monitored metric has not improved
 * for {@code patience} validations.
 *
 * <p><b>Exact resume.</b> A checkpoint holds the weights, the batch-norm running statistics, Adam's
 * moments and step count, the online evaluator's weights and moments, the listeners' state (early
 * stopping), the running per-epoch sums, the step, the epoch and the batches consumed in it, and
 * the config. Since the augmentations, the order and the loss's sampling are all functions of
 * (seed, epoch, position, step), the steps after a resume are the steps the uninterrupted run would
 * have taken.
 *
 * <p><b>Divergence.</b> A NaN or infinity in the encoder's outputs, the loss or a gradient ends
 * {@link #fit()} with a {@link TrainingDivergedException} naming the step and the tensor, before
 * the update and without a checkpoint, so the last checkpoint on disk is the last good one. No step
 * is ever skipped.
 *
 * <p><b>Memory.</b> Each step runs inside one {@link NativeMemory} scope reused by the next, so the
 * activations, the loss's gradients and the backward arrays take the same native memory every step;
 * see {@code docs/memory.md}. The parameters, Adam's moments and the online evaluator live outside
 * it.
 *
 * <p><b>Across processes.</b> With {@link #inProcessGroup}, this process is one replica of a job of
 * several processes (one per GPU, docs/parallel.md): every process makes the same global batch from
 * the same seeds (data order, augmentations, the loss's choices: the job's seeds, not per rank,
 * since the ranks must agree on the batch) and encodes its own rows of it. Rank 0 alone locks and
 * writes the run directory (checkpoints, metrics); it chooses the checkpoint to resume from and
 * every rank restores that one, then takes rank 0's weights. A stop (early stopping, the time
 * limit, a signal) on any rank stops every rank after the same step.
 *
 * <p>The method must be float32 (checkpoints store float32, which then round-trips exactly). The
 * trainer does not close the method or the datasets. Not thread-safe.
 */
public final class Trainer {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    /** Checkpoints kept in the run directory; two would do, a third is cheap insurance. */
    private static final int KEEP_CHECKPOINTS = 3;

    /** Mixed into the seed for the validation pairs, so they differ from any training epoch's. */
    private static final long VALIDATION_SEED_SALT = 0x5EED_0F_7E57L;

    /** The metrics file in the run directory. */
    public static final String METRICS_CSV = "metrics.csv";

    /** The workspace scope of one step. */
    private static final String STEP_SCOPE = "train-step";

    /** Where a run directory's run starts. */
    public enum RunMode {
        /** A fresh run; refused if the directory already holds a valid checkpoint. */
        NEW,
        /** Continue from the newest valid checkpoint; refused if there is none. */
        RESUME,
        /**
         * Continue if there is a valid checkpoint, else start afresh: what rerunning a batch job wants.
         * A directory whose every checkpoint is damaged is refused rather than restarted.
         */
        RESUME_OR_NEW
    }

    private final TrainerConfig config;
    private final Method method;
    private final Dataset dataset;
    private final PairTransform pairs;
    private Dataset validationData;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private Duration timeLimit;
    private Path runDir;
    private RunMode runMode;
    private Collectives processGroup;

    /**
     * @param method the method to train, float32 and built with {@code config.method()}; on resume
     *     its weights and running statistics are replaced by the checkpoint's
     * @param dataset the training images; the config's preset must make views the method takes
     * @throws IllegalArgumentException if the method, its config, the preset and the data do not fit
     */
    public Trainer(TrainerConfig config, Method method, Dataset dataset) {
        if (!method.config().equals(config.method())) {
            throw new IllegalArgumentException(
                    "trainer: the method is " + method.config() + " but the config says " + config.method());
        }
        if (method.parameters().dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("trainer: the method must be FLOAT (checkpoints are float32), got "
                    + method.parameters().dataType());
        }
        this.config = config;
        this.method = method;
        this.dataset = dataset;
        this.pairs = Presets.byName(config.preset()).pairs();
        requireFits(dataset.info());
    }

    /**
     * The preset's views of {@code data} must be what the method takes, and the batch must fit in it.
     */
    private void requireFits(DatasetInfo data) {
        ItemShape views;
        try {
            views = pairs.outputShape(ItemShape.image(data.channels(), data.height(), data.width()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "preset '"
                            + config.preset()
                            + "' cannot take '"
                            + data.name()
                            + "' ("
                            + data.channels()
                            + " x "
                            + data.height()
                            + " x "
                            + data.width()
                            + "): "
                            + e.getMessage(),
                    e);
        }
        try {
            config.method().requireViews(views);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "preset '" + config.preset() + "' on '" + data.name() + "': " + e.getMessage(), e);
        }
        if (data.size() < config.batch()) {
            throw new IllegalArgumentException("dataset '"
                    + data.name()
                    + "' has "
                    + data.size()
                    + " images, fewer than one batch of "
                    + config.batch());
        }
    }

    /** Validates on {@code data}'s images, paired by the same preset with a fixed seed. */
    public Trainer validateOn(Dataset data) {
        requireFits(data.info());
        this.validationData = data;
        return this;
    }

    /**
     * Ends {@link #fit()} after the first step that finishes past {@code limit} of wall time in this
     * process, with a checkpoint and a validation, as Lightning's {@code max_time}: how far such a
     * run gets depends on the machine, so the limit is not part of the config. Rerunning continues.
     */
    public Trainer withTimeLimit(Duration limit) {
        if (limit == null || limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("trainer.timeLimit must be positive, got " + limit);
        }
        this.timeLimit = limit;
        return this;
    }

    /** Makes the run a run directory's, started as {@code mode} says (see the class comment). */
    public Trainer inDirectory(Path dir, RunMode mode) {
        if (dir == null || mode == null) {
            throw new IllegalArgumentException("trainer.inDirectory needs a directory and a mode");
        }
        this.runDir = dir;
        this.runMode = mode;
        return this;
    }

    /**
     * Makes this process replica {@code group.rank()} of {@code group.size()} processes that train
     * each global batch together (see the class comment). The caller opens and closes the group.
     *
     * @throws IllegalArgumentException if the config splits the batch into in-process replicas too,
     *     or the global batch does not divide among the processes and their micro-batches
     */
    public Trainer inProcessGroup(Collectives group) {
        if (config.replicas() != 1) {
            throw new IllegalArgumentException("trainer: a process group makes each process one replica;"
                    + " in-process replicas ("
                    + config.replicas()
                    + ") do not combine with it, use 1");
        }
        int shard = config.batch() / group.size();
        if (config.batch() % group.size() != 0 || (config.microBatch() > 0 && shard % config.microBatch() != 0)) {
            throw new IllegalArgumentException("trainer: the batch of "
                    + config.batch()
                    + " does not divide among "
                    + group.size()
                    + " processes"
                    + (config.microBatch() > 0 ? " and micro-batches of " + config.microBatch() : "")
                    + ": use a batch that is a multiple of "
                    + group.size()
                    + (config.microBatch() > 0 ? " x " + config.microBatch() : ""));
        }
        this.processGroup = group;
        return this;
    }

    /** Whether this process writes the run directory: the only one, or rank 0 of a process group. */
    private boolean writes() {
        return processGroup == null || processGroup.rank() == 0;
    }

    /** Adds a listener of the run's start, steps and end. */
    public Trainer listen(TrainingListener listener) {
        listeners.add(listener);
        return this;
    }

    /**
     * Trains to the configured length or until early stopping or the time limit.
     *
     * @throws TrainingDivergedException on a NaN or infinity in an output, the loss or a gradient
     * @throws IllegalArgumentException if the run directory's checkpoint has another config, or the
     *     mode refuses the directory's state
     * @throws IOException if a checkpoint cannot be read or written
     */
    public TrainingResult fit() throws IOException {
        Parameters params = method.parameters();
        Adam adam = new Adam(config.adam(), params);
        int classes = dataset.info().classes();
        boolean online = config.onlineProbeLr() > 0 && classes >= 2;
        EarlyStopper earlyStopper = new EarlyStopper(config.validation().earlyStopping());
        List<TrainingListener> all = new ArrayList<>(listeners);
        all.add(earlyStopper);
        all.add(new NativeMemoryCollector());
        if (runDir != null && writes()) {
            all.add(new RunFiles(runDir));
        }
        ProducerOptions options =
                ProducerOptions.of(config.batch(), config.seed()).withThreads(config.augmentThreads());
        DataFingerprint data = DataFingerprint.of(dataset);
        try (RunDirectoryLock lock = runDir == null || !writes() ? null : lockRunDirectory();
                OnlineEvaluator probe =
                        online ? new OnlineEvaluator(method.featureDim(), classes, config.onlineProbeLr()) : null;
                PairProducer producer = new PairProducer(dataset, pairs, options);
                PairProducer validation = validationData == null
                        ? null
                        : new PairProducer(
                                validationData,
                                pairs,
                                ProducerOptions.of(config.batch(), config.seed() ^ VALIDATION_SEED_SALT)
                                        .withThreads(config.augmentThreads())
                                        .withShuffle(false));
                DataParallel parallel = processGroup != null || config.replicas() > 1 || config.microBatch() > 0
                        ? new DataParallel(
                                method,
                                DataParallel.Options.replicas(config.replicas()).withMicroBatch(config.microBatch()),
                                processGroup)
                        : null;
                Listeners notify = new Listeners(all)) {
            RunState state = new RunState();
            Resumable resumable = new Resumable(params, adam, probe, state, all);
            StartMode mode = processGroup == null ? start(resumable, data) : startTogether(resumable, data);
            if (parallel != null) {
                parallel.syncAll();
            }
            long total = config.steps() > 0 ? config.steps() : (long) config.epochs() * producer.batchesPerEpoch();
            notify.start(new RunStart(state.step, total, mode, Optional.ofNullable(runDir)));
            if (notify.stopRequested()) {
                LOG.info("this run stopped early at step {}; nothing to do", state.step);
            }
            Iterator<PairBatch> batches = producer.epoch(state.epoch);
            for (long skipped = 0; skipped < state.position; skipped++) {
                batches.next().close();
            }
            long lastSaved = state.step;
            Path lastCheckpoint = state.restoredFrom;
            long deadline = timeLimit == null ? Long.MAX_VALUE : System.nanoTime() + timeLimit.toNanos();
            boolean timeUp = false;
            boolean stop = anyRank(notify.stopRequested());
            while (state.step < total && !stop && !timeUp) {
                long started = System.nanoTime();
                if (!batches.hasNext()) {
                    state.epoch++;
                    state.position = 0;
                    batches = producer.epoch(state.epoch);
                }
                state.step++;
                StepMetrics metrics;
                try (PairBatch batch = batches.next();
                        MemoryWorkspace ws = NativeMemory.scope(STEP_SCOPE)) {
                    metrics = step(state, batch, adam, params, probe, parallel, started);
                }
                state.position++;
                state.epochSums.add(metrics);
                Map<String, Double> epochMeans = Map.of();
                boolean epochEnds = !batches.hasNext();
                if (epochEnds) {
                    epochMeans = state.epochSums.means();
                    state.epochSums = new EpochSums();
                }
                timeUp = anyRank(System.nanoTime() >= deadline);
                boolean last = state.step == total || timeUp;
                Optional<ValidationMetrics> validated = Optional.empty();
                long every = config.validation().every();
                if (validation != null && ((every > 0 ? state.step % every == 0 : epochEnds) || last)) {
                    if (processGroup != null) {
                        // Rank 0's running statistics, the ones its checkpoint keeps, so every rank validates
                        // its model.
                        parallel.syncAll();
                    }
                    validated = Optional.of(validate(state.step, validation, probe));
                    state.lastValidation = validated.get();
                }
                notify.step(new StepReport(metrics, epochMeans, validated));
                stop = anyRank(notify.stopRequested());
                if (runDir != null && writes() && (state.step % config.checkpointEvery() == 0 || last || stop)) {
                    lastCheckpoint = save(state, params, adam, probe, all, data);
                    lastSaved = state.step;
                }
            }
            if (runDir != null && writes() && (lastSaved != state.step || lastCheckpoint == null)) {
                lastCheckpoint = save(state, params, adam, probe, all, data);
            }
            if (processGroup != null) {
                // Every rank returns once rank 0's last checkpoint is on disk, and names the file rank 0
                // wrote.
                processGroup.barrier();
                if (runDir != null && !writes()) {
                    lastCheckpoint = runDir.resolve(CheckpointIO.fileName(state.step));
                }
            }
            TrainingResult.Stop why = earlyStopper.stopRequested()
                    ? TrainingResult.Stop.EARLY_STOPPING
                    : stop
                            ? TrainingResult.Stop.REQUESTED
                            : state.step < total ? TrainingResult.Stop.TIME_LIMIT : TrainingResult.Stop.COMPLETED;
            if (why == TrainingResult.Stop.TIME_LIMIT) {
                LOG.info("time limit of {} reached at step {} of {}", timeLimit, state.step, total);
            }
            TrainingResult result = new TrainingResult(
                    state.step,
                    total,
                    why,
                    Optional.ofNullable(state.lastValidation),
                    mode,
                    Optional.ofNullable(lastCheckpoint));
            notify.end(result);
            return result;
        } catch (RuntimeException | IOException | Error e) {
            if (processGroup != null) {
                // The other processes' next collective fails instead of waiting for this one.
                processGroup.abort(e);
            }
            throw e;
        }
    }

    /**
     * Whether {@code flag} holds on any rank of the process group (this process's alone without one).
     */
    private boolean anyRank(boolean flag) {
        if (processGroup == null) {
            return flag;
        }
        return processGroup.allReduceSum(new double[] {flag ? 1 : 0})[0] > 0;
    }

    /**
     * {@link #start} across processes: rank 0 examines the run directory and chooses (moving damaged
     * checkpoints aside, refusing what the mode refuses), then every other rank restores the
     * checkpoint of the step rank 0 announces, so all resume from the same file.
     */
    private StartMode startTogether(Resumable into, DataFingerprint data) throws IOException {
        StartMode mode = writes() ? start(into, data) : null;
        double announced = writes() && mode == StartMode.RESUMED ? into.state().step : -1;
        long step = (long) processGroup.allReduceSum(new double[] {processGroup.rank() == 0 ? announced : 0})[0];
        if (writes()) {
            return mode;
        }
        if (runDir == null) {
            return StartMode.IN_MEMORY;
        }
        if (step < 0) {
            return StartMode.NEW_RUN;
        }
        Path file = runDir.resolve(CheckpointIO.fileName(step));
        restore(CheckpointIO.read(file), into, file);
        LOG.info(
                "rank {}: resuming from {} as rank 0 does (step {}, epoch {})",
                processGroup.rank(),
                file,
                into.state().step,
                into.state().epoch);
        return StartMode.RESUMED;
    }

    /**
     * Creates the run directory if needed and takes its lock, or says why it cannot be a run
     * directory.
     */
    private RunDirectoryLock lockRunDirectory() throws IOException {
        if (Files.exists(runDir) && !Files.isDirectory(runDir)) {
            throw new IllegalArgumentException("run directory " + runDir + " is a file, not a directory");
        }
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create run directory " + runDir + ": " + e, e);
        }
        if (!Files.isWritable(runDir)) {
            throw new IllegalArgumentException("run directory " + runDir + " is not writable by this user");
        }
        return RunDirectoryLock.acquire(runDir);
    }

    /**
     * Restores the newest valid checkpoint when the run directory's mode allows it, and says how the
     * run starts. Damaged checkpoints are moved aside ({@code *.damaged}), never deleted; when every
     * checkpoint is damaged, nothing restarts from step 0 unless the mode is {@link RunMode#NEW}.
     */
    private StartMode start(Resumable into, DataFingerprint data) throws IOException {
        if (runDir == null) {
            return StartMode.IN_MEMORY;
        }
        CheckpointIO.Scan scan = CheckpointIO.latest(runDir);
        for (CheckpointFormatException rejected : scan.rejected()) {
            Path aside = rejected.file().resolveSibling(rejected.file().getFileName() + ".damaged");
            Files.move(rejected.file(), aside, StandardCopyOption.REPLACE_EXISTING);
            LOG.warn("damaged checkpoint moved aside to {}: {}", aside, rejected.getMessage());
        }
        Optional<CheckpointIO.Found> found = scan.newest();
        if (found.isEmpty()) {
            if (runMode == RunMode.RESUME) {
                throw new IllegalArgumentException(
                        "trainer: run directory " + runDir + " holds no valid checkpoint" + " to resume from");
            }
            if (!scan.rejected().isEmpty() && runMode != RunMode.NEW) {
                throw new IllegalArgumentException("trainer: every checkpoint in "
                        + runDir
                        + " is damaged ("
                        + scan.rejected().size()
                        + ", moved aside as *.damaged); start the run afresh explicitly"
                        + " (RunMode.NEW, or train --restart) or restore a checkpoint");
            }
            return StartMode.NEW_RUN;
        }
        if (runMode == RunMode.NEW) {
            throw new IllegalArgumentException("trainer: run directory "
                    + runDir
                    + " already holds a run ("
                    + found.get().path().getFileName()
                    + "); resume it or choose a new directory");
        }
        Checkpoint c = found.get().checkpoint();
        DataFingerprint trained = DataFingerprint.from(c.metadata());
        if (trained != null && !trained.sameData(data)) {
            throw new IllegalArgumentException("trainer: "
                    + found.get().path()
                    + " was trained on '"
                    + trained.name()
                    + "' ("
                    + trained.shape()
                    + ", sha256 "
                    + trained.hash().substring(0, 12)
                    + "), this run's data is '"
                    + data.name()
                    + "' ("
                    + data.shape()
                    + ", sha256 "
                    + data.hash().substring(0, 12)
                    + "); resume on the same data or use a new run directory");
        }
        restore(c, into, found.get().path());
        LOG.info("resuming from {} (step {}, epoch {})", found.get().path(), into.state().step, into.state().epoch);
        return StartMode.RESUMED;
    }

    private StepMetrics step(
            RunState state,
            PairBatch batch,
            Adam adam,
            Parameters params,
            OnlineEvaluator probe,
            DataParallel parallel,
            long started) {
        long seed = stepSeed(state.step);
        StepOutcome o = parallel == null
                ? method.forwardBackward(state.step, batch.viewA(), batch.viewB(), seed)
                : parallel.forwardBackward(state.step, batch.size(), batch.viewA(), batch.viewB(), seed);
        double lr = config.learningRate(adam.stepCount() + 1);
        adam.step(params, lr);
        if (parallel != null) {
            parallel.syncWeights();
        }
        double onlineAccuracy =
                probe == null || batch.labels() == null ? Double.NaN : probe.trainStep(o.features(), batch.labels());
        double seconds = (System.nanoTime() - started) / 1e9;
        return new StepMetrics(
                state.step,
                state.epoch,
                o.loss(),
                o.parts(),
                o.accuracy(),
                lr,
                o.gradNorm(),
                1 / seconds,
                onlineAccuracy);
    }

    /** Means over the fixed validation pairs in evaluation mode; nothing is updated. */
    private ValidationMetrics validate(long step, PairProducer validation, OnlineEvaluator probe) {
        int limit = config.validation().maxBatches();
        double lossSum = 0;
        double accuracySum = 0;
        double onlineCorrect = 0;
        long onlineImages = 0;
        long images = 0;
        int batchesSeen = 0;
        Iterator<PairBatch> batches = validation.epoch(0);
        while (batches.hasNext() && (limit == 0 || batchesSeen < limit)) {
            try (PairBatch batch = batches.next();
                    MemoryWorkspace ws = NativeMemory.scope(STEP_SCOPE)) {
                StepOutcome o = method.evaluate(batch.viewA(), batch.viewB(), stepSeed(-1 - batchesSeen));
                lossSum += o.loss() * batch.size();
                accuracySum += o.accuracy() * batch.size();
                images += batch.size();
                if (probe != null && batch.labels() != null) {
                    double accuracy = probe.accuracy(o.features(), batch.labels());
                    if (!Double.isNaN(accuracy)) {
                        onlineCorrect += accuracy * batch.size();
                        onlineImages += batch.size();
                    }
                }
            }
            batchesSeen++;
        }
        return new ValidationMetrics(
                step,
                lossSum / images,
                accuracySum / images,
                onlineImages == 0 ? Double.NaN : onlineCorrect / onlineImages,
                images);
    }

    /**
     * The seed of step {@code step}'s random choices: a SplitMix64 finaliser of (seed, step), so
     * neighbouring steps and seeds draw unrelated values and a resumed step draws the same ones.
     */
    private long stepSeed(long step) {
        long z = config.seed() + step * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private Path save(
            RunState state,
            Parameters params,
            Adam adam,
            OnlineEvaluator probe,
            List<TrainingListener> all,
            DataFingerprint data)
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
        for (TrainingListener l : all) {
            counters.putAll(l.checkpointState());
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("writer", Trainer.class.getName());
        metadata.put("engine.version", EngineVersion.get());
        metadata.put("method", config.method().method());
        metadata.putAll(data.metadata());
        Checkpoint c =
                new Checkpoint(state.step, state.epoch, state.position, config.toJson(), tensors, counters, metadata);
        Path file = runDir.resolve(CheckpointIO.fileName(state.step));
        CheckpointIO.write(file, c);
        CheckpointIO.retain(runDir, KEEP_CHECKPOINTS);
        return file;
    }

    /**
     * What a checkpoint restores: the weights and buffers, the optimisers' moments (the online
     * probe's too, when it trains), the run's counters and the listeners' state.
     */
    private record Resumable(
            Parameters params, Adam adam, OnlineEvaluator probe, RunState state, List<TrainingListener> listeners) {}

    private void restore(Checkpoint c, Resumable into, Path from) {
        TrainerConfig saved = TrainerConfig.fromJson(c.config());
        if (!saved.method().method().equals(config.method().method())) {
            throw new IllegalArgumentException("trainer: "
                    + from
                    + " holds a run of method "
                    + saved.method().method()
                    + ", this run trains "
                    + config.method().method()
                    + "; use a new run directory");
        }
        if (!config.continues(saved)) {
            throw new IllegalArgumentException("trainer: "
                    + from
                    + " was written by a run with another config; use a new run directory."
                    + "\n  checkpoint: "
                    + c.config()
                    + "\n  this run:   "
                    + config.toJson());
        }
        TrainedModel.assign(into.params().flatValues(), c, "params", from);
        TrainedModel.assign(into.params().flatBuffers(), c, "buffers", from);
        into.adam().importState(adamState(c, "adam", from));
        if (into.probe() != null) {
            into.probe().restore(TrainedModel.tensor(c, "online.params", from), adamState(c, "online.adam", from));
        }
        RunState state = into.state();
        state.step = c.step();
        state.epoch = c.epoch();
        state.position = c.positionInEpoch();
        state.restoredFrom = from;
        state.importFrom(c.state(), from);
        for (TrainingListener l : into.listeners()) {
            l.restoreState(c.state());
        }
    }

    private static AdamState adamState(Checkpoint c, String prefix, Path from) {
        long[] step = c.state().get(prefix + ".step");
        if (step == null || step.length != 1) {
            throw new IllegalArgumentException("trainer: " + from + " has no '" + prefix + ".step' counter");
        }
        return new AdamState(
                step[0],
                toDouble(TrainedModel.tensor(c, prefix + ".m", from)),
                toDouble(TrainedModel.tensor(c, prefix + ".v", from)));
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

    /** The listeners of one fit, called in order; every one is closed however the run ends. */
    private static final class Listeners implements AutoCloseable {
        private final List<TrainingListener> all;

        Listeners(List<TrainingListener> all) {
            this.all = all;
        }

        void start(RunStart start) {
            all.forEach(l -> l.onStart(start));
        }

        void step(StepReport report) {
            all.forEach(l -> l.onStep(report));
        }

        boolean stopRequested() {
            return all.stream().anyMatch(TrainingListener::stopRequested);
        }

        void end(TrainingResult result) {
            all.forEach(l -> l.onEnd(result));
        }

        @Override
        public void close() {
            Closeables.closeAll(all, RuntimeException.class, TrainingListener::close);
        }
    }

    /**
     * Per-epoch running sums of the step scalars, checkpointed so a resumed epoch's means are exact.
     */
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
            return new long[] {
                Double.doubleToRawLongBits(loss),
                Double.doubleToRawLongBits(accuracy),
                Double.doubleToRawLongBits(online),
                steps,
                onlineSteps
            };
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

    /**
     * Where the run is: everything besides the tensors and listeners that a checkpoint must restore.
     */
    private static final class RunState {
        long step;
        int epoch;
        long position;
        EpochSums epochSums = new EpochSums();
        ValidationMetrics lastValidation;
        Path restoredFrom;

        void exportTo(Map<String, long[]> counters) {
            counters.put("epoch.sums", epochSums.bits());
            if (lastValidation != null) {
                counters.put("validation.last", new long[] {
                    lastValidation.step(),
                    Double.doubleToRawLongBits(lastValidation.loss()),
                    Double.doubleToRawLongBits(lastValidation.accuracy()),
                    Double.doubleToRawLongBits(lastValidation.onlineAccuracy()),
                    lastValidation.images()
                });
            }
        }

        void importFrom(Map<String, long[]> counters, Path from) {
            long[] sums = counters.get("epoch.sums");
            if (sums == null || sums.length != 5) {
                throw new IllegalArgumentException(
                        "trainer: " + from + " lacks the 'epoch.sums' (5) counters of a trainer checkpoint");
            }
            epochSums = EpochSums.fromBits(sums);
            long[] v = counters.get("validation.last");
            if (v != null && v.length == 5) {
                lastValidation = new ValidationMetrics(
                        v[0],
                        Double.longBitsToDouble(v[1]),
                        Double.longBitsToDouble(v[2]),
                        Double.longBitsToDouble(v[3]),
                        v[4]);
            }
        }
    }
}
