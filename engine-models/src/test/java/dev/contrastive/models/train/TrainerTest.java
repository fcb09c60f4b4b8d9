package dev.contrastive.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.core.EngineVersion;
import dev.contrastive.core.parallel.Collectives;
import dev.contrastive.core.parallel.InProcessGroup;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.StepChecks;
import dev.contrastive.models.method.TrainingDivergedException;
import dev.contrastive.models.nn.Parameters;
import dev.contrastive.models.train.RunStart.StartMode;
import dev.contrastive.models.train.checkpoint.Checkpoint;
import dev.contrastive.models.train.checkpoint.CheckpointIO;
import dev.contrastive.models.train.metrics.CsvMetrics;
import dev.contrastive.models.train.metrics.MetricsTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** End-to-end runs of {@link TinyRun}'s tiny methods. */
class TrainerTest {

    private static Dataset data;

    @TempDir
    Path tmp;

    @BeforeAll
    static void openData() throws IOException {
        data = TinyRun.trainImages();
    }

    @AfterAll
    static void closeData() throws IOException {
        data.close();
    }

    /** A listener that hands every step's metrics to {@code onStep}, which may throw. */
    private static TrainingListener steps(Consumer<StepMetrics> onStep) {
        return new TrainingListener() {
            @Override
            public void onStep(StepReport report) {
                onStep.accept(report.metrics());
            }
        };
    }

    /**
     * Runs {@code cfg} in {@code runDir} on a fresh model, collecting each step's loss; {@code extra}
     * may throw.
     */
    private static List<Double> run(TrainerConfig cfg, Path runDir, Consumer<StepMetrics> extra) throws IOException {
        List<Double> losses = new ArrayList<>();
        try (Method model = TinyRun.create(cfg.method().method(), TinyRun.MODEL_SEED)) {
            new Trainer(cfg, model, data)
                    .inDirectory(runDir, Trainer.RunMode.RESUME_OR_NEW)
                    .listen(steps(m -> {
                        losses.add(m.loss());
                        extra.accept(m);
                    }))
                    .fit();
        }
        return losses;
    }

    @Test
    void lossFallsOverThirtyStepsAndTheEndIsCheckpointed() throws IOException {
        List<StepMetrics> seen = new ArrayList<>();
        List<Double> losses = run(TinyRun.config("amdim", 30, 100), tmp.resolve("run"), seen::add);
        assertEquals(30, losses.size());
        double first =
                losses.subList(0, 5).stream().mapToDouble(d -> d).average().orElseThrow();
        double last =
                losses.subList(25, 30).stream().mapToDouble(d -> d).average().orElseThrow();
        assertTrue(last < first - 0.1, "loss did not fall: " + losses);
        StepMetrics m = seen.get(29);
        assertEquals(30, m.step());
        assertEquals(1, m.epoch());
        assertEquals(2e-3, m.learningRate());
        assertEquals(m.loss(), m.parts().values().stream().mapToDouble(d -> d).sum(), 1e-4);
        assertTrue(m.accuracy() > 0 && m.accuracy() <= 1 && m.gradNorm() > 0 && m.stepsPerSecond() > 0);
        // The end of the run is checkpointed even though 30 is not a multiple of checkpointEvery.
        assertEquals(
                30,
                CheckpointIO.latest(tmp.resolve("run"))
                        .newest()
                        .orElseThrow()
                        .checkpoint()
                        .step());
    }

    @ParameterizedTest
    @ValueSource(strings = {"amdim", "cpc", "yadim", "simclr"})
    void interruptedAndResumedRunGivesTheSameLosses(String method) throws IOException {
        TrainerConfig cfg = TinyRun.config(method, 20, 10);
        List<Double> straight = run(cfg, tmp.resolve("straight"), m -> {});

        // Crashes after step 13: the checkpoint of step 10 is the newest, steps 11-13 are lost.
        RuntimeException crash = new IllegalStateException("simulated crash");
        List<Double> beforeCrash = new ArrayList<>();
        RuntimeException thrown = assertThrows(
                RuntimeException.class,
                () -> run(cfg, tmp.resolve("resumed"), m -> {
                    beforeCrash.add(m.loss());
                    if (m.step() == 13) {
                        throw crash;
                    }
                }));
        assertEquals(crash, thrown);
        // A new trainer and a new, differently initialised model: everything comes from the checkpoint.
        List<Double> after = new ArrayList<>();
        try (Method model = TinyRun.create(method, TinyRun.MODEL_SEED + 1)) {
            TrainingResult r = new Trainer(cfg, model, data)
                    .inDirectory(tmp.resolve("resumed"), Trainer.RunMode.RESUME)
                    .listen(steps(m -> after.add(m.loss())))
                    .fit();
            assertEquals(20, r.steps());
            assertEquals(StartMode.RESUMED, r.start());
        }
        assertEquals(straight.subList(0, 13), beforeCrash);
        assertEquals(straight.subList(10, 20), after, "steps 11-20 after resuming from step 10");
        // The losses do not see the running statistics (training-mode batch norm), the final state
        // does.
        Checkpoint a = CheckpointIO.latest(tmp.resolve("straight"))
                .newest()
                .orElseThrow()
                .checkpoint();
        Checkpoint b = CheckpointIO.latest(tmp.resolve("resumed"))
                .newest()
                .orElseThrow()
                .checkpoint();
        assertEquals(List.of(20L, 1, 4L), List.of(b.step(), b.epoch(), b.positionInEpoch()));
        assertEquals(a.tensors(), b.tensors(), "weights, running statistics and Adam moments at step 20");
        assertArrayEquals(a.state().get("adam.step"), b.state().get("adam.step"));
        assertArrayEquals(a.state().get("epoch.sums"), b.state().get("epoch.sums"));
        assertEquals(method, b.metadata().get("method"));
        assertEquals(EngineVersion.get(), b.metadata().get("engine.version"));
        // The metrics file of the resumed run: steps 11-13 logged before the crash were replaced.
        for (String column : List.of("train/loss", "train/online_acc", "epoch/loss", "epoch/online_acc")) {
            assertEquals(series(tmp.resolve("straight"), column), series(tmp.resolve("resumed"), column), column);
        }
        assertEquals(20, series(tmp.resolve("resumed"), "train/loss").size());
    }

    /** (step, value) pairs of one metrics column, as a comparable list. */
    static List<List<Double>> series(Path runDir, String column) throws IOException {
        return CsvMetrics.read(runDir.resolve(Trainer.METRICS_CSV)).series(column).stream()
                .map(p -> List.of(p[0], p[1]))
                .toList();
    }

    /**
     * A run checkpointed at step 10 by one replica and resumed by two, each encoding its 8 images in
     * micro-batches of 4, goes on as the uninterrupted single replica: the same global batches,
     * source draws and loss. CPC, whose layer norm is per image, so that the split changes no
     * statistic; the losses agree to float32 rounding of the regrouped sums.
     */
    @Test
    void resumingWithAnotherReplicaCountGivesTheSameLosses() throws IOException {
        TrainerConfig cfg = TinyRun.config("cpc", 20, 10);
        List<Double> straight = run(cfg, tmp.resolve("one-replica"), m -> {});
        List<Double> first = run(cfg.toBuilder().steps(10).build(), tmp.resolve("split"), m -> {});
        TrainerConfig split = cfg.toBuilder().split(2, 4).build();
        assertTrue(split.continues(cfg), "the split is not result-defining");
        List<Double> resumed = run(split, tmp.resolve("split"), m -> {});
        assertEquals(straight.subList(0, 10), first);
        assertEquals(10, resumed.size(), "steps 11-20");
        for (int i = 0; i < 10; i++) {
            double expected = straight.get(10 + i);
            assertEquals(expected, resumed.get(i), 1e-4 * Math.abs(expected), "step " + (11 + i) + ": " + resumed);
        }
    }

    /**
     * Two processes (here threads joined by an in-process group, as NCCL joins GPU processes) train
     * one run directory: the first 10 steps, then a resume to 20 with rank 1 starting from other
     * weights. Every rank sees the single process's losses, resumes from rank 0's checkpoint, and
     * only rank 0 locks and writes the directory (a second lock in this JVM would fail). CPC, as
     * above.
     */
    @Test
    void processesOfAGroupTrainAsOneProcess() throws Exception {
        TrainerConfig cfg = TinyRun.config("cpc", 20, 10);
        List<Double> straight = run(cfg, tmp.resolve("one-process"), m -> {});
        Path shared = tmp.resolve("group");
        List<List<Double>> first = inGroup(cfg.toBuilder().steps(10).build(), shared);
        List<List<Double>> resumed = inGroup(cfg, shared);
        for (int rank = 0; rank < 2; rank++) {
            assertEquals(10, first.get(rank).size());
            assertEquals(10, resumed.get(rank).size(), "rank " + rank + " resumed at step 10");
            for (int i = 0; i < 20; i++) {
                double expected = straight.get(i);
                double got = i < 10 ? first.get(rank).get(i) : resumed.get(rank).get(i - 10);
                assertEquals(expected, got, 1e-4 * Math.abs(expected), "rank " + rank + " step " + (i + 1));
            }
        }
        assertEquals(
                20,
                CheckpointIO.latest(shared).newest().orElseThrow().checkpoint().step());
        assertEquals(20, series(shared, "train/loss").size(), "one metrics row per step: rank 0's");
    }

    /** {@code cfg} in {@code runDir} by two processes of a group; each rank's losses. */
    private static List<List<Double>> inGroup(TrainerConfig cfg, Path runDir) throws Exception {
        List<Collectives> group = new InProcessGroup(2, Duration.ofMinutes(2)).replicas();
        ExecutorService processes = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<Double>>> ranks = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                Collectives c = group.get(r);
                ranks.add(processes.submit(() -> {
                    List<Double> losses = new ArrayList<>();
                    try (Method model = TinyRun.create("cpc", TinyRun.MODEL_SEED + c.rank())) {
                        new Trainer(cfg, model, data)
                                .inDirectory(runDir, Trainer.RunMode.RESUME_OR_NEW)
                                .inProcessGroup(c)
                                .listen(steps(m -> losses.add(m.loss())))
                                .fit();
                    }
                    return losses;
                }));
            }
            List<List<Double>> losses = new ArrayList<>();
            for (Future<List<Double>> f : ranks) {
                losses.add(f.get(5, TimeUnit.MINUTES));
            }
            return losses;
        } finally {
            processes.shutdownNow();
        }
    }

    @Test
    void aProcessGroupRefusesInProcessReplicasAndABatchThatDoesNotDivide() throws IOException {
        List<Collectives> three = new InProcessGroup(3, Duration.ofMinutes(1)).replicas();
        try (Method model = TinyRun.create("cpc", TinyRun.MODEL_SEED)) {
            TrainerConfig split = TinyRun.builder("cpc").steps(1).split(2, 0).build();
            String m = assertThrows(
                            IllegalArgumentException.class,
                            () -> new Trainer(split, model, data).inProcessGroup(three.get(0)))
                    .getMessage();
            assertTrue(m.contains("in-process replicas (2) do not combine"), m);
            m = assertThrows(
                            IllegalArgumentException.class,
                            () -> new Trainer(TinyRun.config("cpc", 1, 1), model, data).inProcessGroup(three.get(0)))
                    .getMessage();
            assertEquals(
                    "trainer: the batch of 16 does not divide among 3 processes: use a batch that is a multiple of 3",
                    m);
        }
    }

    @Test
    void validatesStopsEarlyAndWritesTheRunDirectory() throws IOException {
        Path runDir = tmp.resolve("validated");
        // No validation can improve NCE accuracy by a whole 1.0, so the second one stops the run.
        TrainerConfig cfg = TinyRun.builder("amdim")
                .steps(40)
                .validation(
                        new ValidationOptions(3, 2, new EarlyStopping(EarlyStopping.Monitor.VAL_NCE_ACCURACY, 1, 1.0)))
                .build();
        List<ValidationMetrics> validations = new ArrayList<>();
        TrainingListener collect = new TrainingListener() {
            @Override
            public void onStep(StepReport report) {
                report.validation().ifPresent(validations::add);
            }
        };
        TrainingResult result;
        try (Dataset val = TinyRun.testImages(64);
                Method model = TinyRun.create("amdim", TinyRun.MODEL_SEED)) {
            result = new Trainer(cfg, model, data)
                    .validateOn(val)
                    .inDirectory(runDir, Trainer.RunMode.NEW)
                    .listen(collect)
                    .fit();
            assertEquals(6, result.steps());
            assertTrue(result.earlyStopped());
            assertEquals(StartMode.NEW_RUN, result.start());
            assertEquals(
                    List.of(3L, 6L),
                    validations.stream().map(ValidationMetrics::step).toList());
            ValidationMetrics last = validations.get(1);
            assertEquals(last, result.lastValidation().orElseThrow());
            assertEquals(32, last.images(), "2 batches of 16");
            assertTrue(last.loss() > 0 && last.accuracy() >= 0 && last.accuracy() <= 1, last.toString());
            assertTrue(last.onlineAccuracy() >= 0 && last.onlineAccuracy() <= 1, last.toString());
            assertEquals(Optional.of(runDir.resolve(CheckpointIO.fileName(6))), result.checkpoint());

            // A rerun of a run that stopped early trains nothing and reports the same end.
            TrainingResult again = new Trainer(cfg, model, data)
                    .validateOn(val)
                    .inDirectory(runDir, Trainer.RunMode.RESUME)
                    .fit();
            assertEquals(
                    List.of(6L, true, Optional.of(last)),
                    List.of(again.steps(), again.earlyStopped(), again.lastValidation()));
        }
        MetricsTable table = CsvMetrics.read(runDir.resolve(Trainer.METRICS_CSV));
        assertEquals(6, table.rows().size());
        assertTrue(
                table.columns()
                        .containsAll(List.of(
                                "train/loss",
                                "train/loss_reg",
                                "train/nce_acc",
                                "train/online_acc",
                                "train/lr",
                                "train/grad_norm",
                                "train/steps_per_s",
                                "val/loss",
                                "val/nce_acc",
                                "val/online_acc")),
                table.columns().toString());
        assertEquals(
                List.of(
                        List.of(3.0, validations.get(0).loss()),
                        List.of(6.0, validations.get(1).loss())),
                series(runDir, "val/loss"));
        // Charts are the application's: the library draws no PNG.
        assertFalse(Files.exists(runDir.resolve("loss.png")) || Files.exists(runDir.resolve("accuracy.png")));
        try (Stream<Path> files = Files.list(runDir)) {
            assertTrue(
                    files.anyMatch(p -> p.getFileName().toString().startsWith("events.out.tfevents.")),
                    "a TensorBoard event file");
        }
    }

    @Test
    void inMemoryRunsWriteNothingAndLeaveTheTrainedWeightsInTheMethod() throws IOException {
        try (Method model = TinyRun.create("simclr", TinyRun.MODEL_SEED)) {
            float[] before = model.parameters().flatValues().toFloatVector();
            TrainingResult r = new Trainer(TinyRun.config("simclr", 5, 1), model, data).fit();
            assertEquals(StartMode.IN_MEMORY, r.start());
            assertEquals(Optional.empty(), r.checkpoint());
            assertEquals(5, r.steps());
            assertFalse(java.util.Arrays.equals(
                    before, model.parameters().flatValues().toFloatVector()));
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(0, files.count(), "nothing written");
        }
    }

    @Test
    void runModesRefuseTheDirectoryStateTheyDoNotExpect() throws IOException {
        Path runDir = tmp.resolve("modes");
        TrainerConfig cfg = TinyRun.config("amdim", 2, 1);
        try (Method model = TinyRun.create("amdim", TinyRun.MODEL_SEED)) {
            IllegalArgumentException none = assertThrows(
                    IllegalArgumentException.class, () -> fitIn(runDir, Trainer.RunMode.RESUME, cfg, model));
            assertTrue(none.getMessage().contains("holds no valid checkpoint"), none.getMessage());
            fitIn(runDir, Trainer.RunMode.NEW, cfg, model);
            IllegalArgumentException taken =
                    assertThrows(IllegalArgumentException.class, () -> fitIn(runDir, Trainer.RunMode.NEW, cfg, model));
            assertTrue(taken.getMessage().contains("already holds a run"), taken.getMessage());
        }
    }

    /** Trains {@code model} by {@code cfg} on the shared data, in {@code runDir} as {@code mode} says. */
    private static TrainingResult fitIn(Path runDir, Trainer.RunMode mode, TrainerConfig cfg, Method model)
            throws IOException {
        return new Trainer(cfg, model, data).inDirectory(runDir, mode).fit();
    }

    @ParameterizedTest
    @ValueSource(strings = {"amdim", "cpc", "yadim", "simclr"})
    void nanStopsTrainingNamingTheStepAndTheTensorAndLeavesTheLastCheckpointIntact(String method) throws IOException {
        Path runDir = tmp.resolve("nan");
        TrainerConfig cfg = TinyRun.config(method, 20, 5);
        TrainingDivergedException e;
        try (Method model = TinyRun.create(method, TinyRun.MODEL_SEED)) {
            e = assertThrows(
                    TrainingDivergedException.class,
                    () -> fitIn(runDir, Trainer.RunMode.NEW, cfg, new PoisonedAt(6, model)));
        }
        String expected = switch (method) {
            case "amdim" -> "encoder output a_r1";
            case "cpc" -> "encoder output targets";
            case "yadim" -> "encoder output a_last";
            default -> "encoder output a_projection";
        };
        assertEquals(6, e.step());
        assertEquals(expected, e.tensor());
        assertTrue(e.getMessage().contains("step 6") && e.getMessage().contains(expected), e.getMessage());
        try (Stream<Path> files = Files.list(runDir)) {
            assertEquals(
                    List.of(CheckpointIO.fileName(5)),
                    files.map(p -> p.getFileName().toString())
                            .filter(n -> n.startsWith("ckpt-"))
                            .toList(),
                    "no checkpoint after the bad step");
        }
        try (TrainedModel last = TrainedModel.load(runDir)) {
            assertEquals(5, last.step());
            assertTrue(StepChecks.allFinite(last.method().parameters().flatValues()), "the last checkpoint is good");
        }
        assertEquals(
                5, CsvMetrics.read(runDir.resolve(Trainer.METRICS_CSV)).rows().size(), "no metrics row for step 6");
    }

    /** A method whose first parameter turns NaN just before step {@code step}'s forward. */
    private record PoisonedAt(long step, Method delegate) implements ForwardingMethod {
        @Override
        public Map<String, INDArray> forward(long s, INDArray viewA, INDArray viewB, boolean training) {
            if (s == step) {
                delegate.parameters().trainable().get(0).value().putScalar(0, Float.NaN);
            }
            return delegate.forward(s, viewA, viewB, training);
        }

        /** The caller closes the method it handed in. */
        @Override
        public void close() {}
    }

    @Test
    void refusesToResumeARunDirectoryOfAnotherConfigOrMethod() throws IOException {
        Path runDir = tmp.resolve("other");
        run(TinyRun.config("amdim", 2, 1), runDir, m -> {});
        IllegalArgumentException config = assertThrows(
                IllegalArgumentException.class,
                () -> run(TinyRun.builder("amdim").steps(4).seed(12).build(), runDir, m -> {}));
        assertTrue(config.getMessage().contains("another config"), config.getMessage());
        IllegalArgumentException method =
                assertThrows(IllegalArgumentException.class, () -> run(TinyRun.config("cpc", 4, 1), runDir, m -> {}));
        assertTrue(
                method.getMessage().contains("holds a run of method amdim, this run trains cpc"), method.getMessage());
    }

    @Test
    void aNonFiniteGradientIsReportedWithTheParameterName() {
        try (Parameters p = new Parameters(DataType.FLOAT)) {
            p.declare("ok", new long[] {2}, new double[2]);
            p.declare("bad", new long[] {3}, new double[3]);
            p.seal();
            p.get("bad").grad().putScalar(1, Float.POSITIVE_INFINITY);
            TrainingDivergedException e =
                    assertThrows(TrainingDivergedException.class, () -> StepChecks.finiteGradNorm(42, p));
            assertEquals(42, e.step());
            assertEquals("gradient of bad", e.tensor());
            assertTrue(e.getMessage().startsWith("training diverged at step 42: gradient of bad"), e.getMessage());
        }
    }
}
