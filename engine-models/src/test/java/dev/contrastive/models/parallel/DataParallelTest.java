package dev.contrastive.models.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.Shard;
import dev.contrastive.core.memory.NativeMemory;
import dev.contrastive.core.parallel.CollectiveException;
import dev.contrastive.core.parallel.Collectives;
import dev.contrastive.core.parallel.InProcessGroup;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.StepOutcome;
import dev.contrastive.models.method.TrainingDivergedException;
import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.train.TinyRun;
import dev.contrastive.models.train.optim.Adam;
import dev.contrastive.models.train.optim.AdamOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A global batch split across 2 or 3 in-process replicas, or into micro-batches, equals one replica
 * training the whole batch: over five Adam steps of every method, the loss, the NCE accuracy, every
 * parameter gradient and the weights after each update agree. In float64 (the ND4J path) the two
 * are the same sums in another order and agree to 1e-9 relative. In float32 (the native kernels,
 * which also read the micro-batches' row views) each step starts both from the same weights, and
 * the gradients agree to 1e-3, the rounding of sums regrouped across replicas (measured up to
 * 2.5e-4 on SimCLR's, whose terms cancel at initialisation). Batch norm runs on its running
 * statistics here (frozen), since per-replica and per-micro-batch statistics differ from the whole
 * batch's by design.
 */
class DataParallelTest {

    private static final int GLOBAL = 12;
    private static final int STEPS = 5;
    private static final AdamOptions ADAM = AdamOptions.amdim().withLr(1e-2);

    static Stream<Arguments> splits() {
        return Stream.of(DataType.DOUBLE, DataType.FLOAT)
                .flatMap(type -> TinyRun.METHODS.stream()
                        .flatMap(m -> Stream.of(
                                Arguments.of(m, type, 2, 0),
                                Arguments.of(m, type, 3, 0),
                                Arguments.of(m, type, 1, 4),
                                Arguments.of(m, type, 2, 3))));
    }

    @ParameterizedTest(name = "{0} {1}: {2} replicas, micro-batch {3}")
    @MethodSource("splits")
    void replicasAndMicroBatchesEqualOneReplicaOnTheWholeBatch(String name, DataType type, int replicas, int micro) {
        double tolerance = type == DataType.DOUBLE ? 1e-9 : 1e-3;
        SplittableRandom rnd = new SplittableRandom(31);
        INDArray[][] batches = new INDArray[STEPS][];
        for (int s = 0; s < STEPS; s++) {
            batches[s] = new INDArray[] {
                GradCheck.randomOf(type, rnd, 1, GLOBAL, 1, 32, 32), GradCheck.randomOf(type, rnd, 1, GLOBAL, 1, 32, 32)
            };
        }
        try (Method single = TinyRun.create(name, type, 5);
                Method primary = TinyRun.create(name, type, 5);
                DataParallel split = new DataParallel(
                        primary,
                        DataParallel.Options.replicas(replicas)
                                .withMicroBatch(micro)
                                .withFrozenBatchNorm(true))) {
            Adam adamSingle = new Adam(ADAM, single.parameters());
            Adam adamSplit = new Adam(ADAM, primary.parameters());
            for (int s = 0; s < STEPS; s++) {
                String at = name + " step " + s;
                double[] reference;
                try (MemoryWorkspace ws = NativeMemory.scope("reference-step")) {
                    reference = wholeBatch(single, s, batches[s]);
                }
                StepOutcome o = split.forwardBackward(s, batches[s][0], batches[s][1], 100 + s);
                assertClose(at + ": loss", reference[0], o.loss(), tolerance);
                assertClose(at + ": accuracy", reference[1], o.accuracy(), tolerance);
                assertRelative(
                        at + ": parameter gradients",
                        single.parameters().flatGrads(),
                        primary.parameters().flatGrads(),
                        tolerance);
                adamSingle.step(single.parameters(), ADAM.lr());
                adamSplit.step(primary.parameters(), ADAM.lr());
                if (type == DataType.DOUBLE) {
                    assertRelative(
                            at + ": weights after the update",
                            single.parameters().flatValues(),
                            primary.parameters().flatValues(),
                            tolerance);
                } else {
                    // Adam's m / sqrt(v) turns float32 rounding in near-zero gradients into lr-sized steps,
                    // so the two runs would compare gradients at different weights from here on: start level.
                    primary.parameters().flatValues().assign(single.parameters().flatValues());
                }
                split.syncWeights();
            }
        }
    }

    /**
     * One replica's step on the whole batch, batch norm frozen: {loss, accuracy}; gradients in place.
     */
    private static double[] wholeBatch(Method m, int step, INDArray[] views) {
        Map<String, INDArray> maps = m.forward(step, views[0], views[1], false);
        try (LossResult r = m.loss(maps, Shard.all(GLOBAL), 100 + step)) {
            m.parameters().zeroGrad();
            m.backward(r.gradients());
            return new double[] {r.loss(), r.diagnostics().accuracy()};
        }
    }

    /**
     * Each "process" one DataParallel of one replica over its own method, driven by its own thread
     * and joined by a group's collectives as NCCL joins GPU processes: every process gets the whole
     * batch's loss, accuracy, probe features and gradients, and the same weights after the update.
     */
    @ParameterizedTest(name = "{0}: 2 processes, micro-batch {1}")
    @MethodSource("processSplits")
    void oneReplicaPerProcessEqualsOneReplicaOnTheWholeBatch(String name, int micro) throws Exception {
        SplittableRandom rnd = new SplittableRandom(41);
        INDArray[] views = {
            GradCheck.randomOf(DataType.DOUBLE, rnd, 1, GLOBAL, 1, 32, 32),
            GradCheck.randomOf(DataType.DOUBLE, rnd, 1, GLOBAL, 1, 32, 32)
        };
        List<Collectives> group = new InProcessGroup(2, Duration.ofMinutes(1)).replicas();
        ExecutorService processes = Executors.newFixedThreadPool(2);
        try (Method single = TinyRun.create(name, DataType.DOUBLE, 5);
                Method p0 = TinyRun.create(name, DataType.DOUBLE, 5);
                Method p1 = TinyRun.create(name, DataType.DOUBLE, 5)) {
            // Rank 1 starts from other weights: syncAll gives it rank 0's, as after a checkpoint load.
            p1.parameters().flatValues().addi(0.5);
            Method[] methods = {p0, p1};
            double[] reference;
            INDArray referenceFeatures;
            try (MemoryWorkspace ws = NativeMemory.scope("reference-step")) {
                reference = wholeBatch(single, 0, views);
                try (MemoryWorkspace none = NativeMemory.outputsTo(null)) {
                    referenceFeatures = single.probeFeatures().dup();
                }
            }
            List<Future<StepOutcome>> outcomes = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int rank = r;
                outcomes.add(processes.submit(() -> {
                    try (DataParallel split = new DataParallel(
                            methods[rank],
                            DataParallel.Options.replicas(1)
                                    .withMicroBatch(micro)
                                    .withFrozenBatchNorm(true),
                            group.get(rank))) {
                        split.syncAll();
                        StepOutcome o = split.forwardBackward(0, views[0], views[1], 100);
                        methods[rank]
                                .parameters()
                                .flatValues()
                                .addi(methods[rank].parameters().flatGrads());
                        split.syncWeights();
                        return o;
                    }
                }));
            }
            for (int r = 0; r < 2; r++) {
                StepOutcome o = outcomes.get(r).get(2, TimeUnit.MINUTES);
                String at = name + " process " + r;
                assertClose(at + ": loss", reference[0], o.loss(), 1e-9);
                assertClose(at + ": accuracy", reference[1], o.accuracy(), 1e-9);
                assertRelative(at + ": probe features of the whole batch", referenceFeatures, o.features(), 1e-9);
                assertRelative(
                        at + ": parameter gradients",
                        single.parameters().flatGrads(),
                        methods[r].parameters().flatGrads(),
                        1e-9);
            }
            INDArray updated =
                    single.parameters().flatValues().add(single.parameters().flatGrads());
            assertRelative(name + ": rank 0's update", updated, p0.parameters().flatValues(), 1e-9);
            assertEquals(p0.parameters().flatValues(), p1.parameters().flatValues(), "rank 1 follows rank 0's weights");
        } finally {
            processes.shutdownNow();
        }
    }

    static Stream<Arguments> processSplits() {
        return TinyRun.METHODS.stream().flatMap(m -> Stream.of(Arguments.of(m, 0), Arguments.of(m, 3)));
    }

    @Test
    void aProcessGroupTakesOneReplicaPerProcess() {
        Collectives process =
                new InProcessGroup(2, Duration.ofMinutes(1)).replicas().get(0);
        try (Method primary = TinyRun.create("simclr", 5)) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> new DataParallel(primary, DataParallel.Options.replicas(2), process));
            assertTrue(e.getMessage().startsWith("a process group makes each process one replica"), e.getMessage());
        }
    }

    @Test
    void aGlobalBatchThatDoesNotDivideIsRefused() {
        assertEquals(
                "the global batch of 10 images does not divide among 3 replicas: use a batch that is a"
                        + " multiple of 3",
                refusalOf(DataParallel.Options.replicas(3), 10));
        String microBatches = refusalOf(DataParallel.Options.replicas(2).withMicroBatch(4), 12);
        assertTrue(microBatches.contains("do not divide into micro-batches of 4"), microBatches);
    }

    /** The message with which a split of the tiny AMDIM refuses a step on a global batch of {@code batch}. */
    private static String refusalOf(DataParallel.Options options, int batch) {
        try (Method primary = TinyRun.create("amdim", 5);
                DataParallel split = new DataParallel(primary, options)) {
            INDArray views = GradCheck.randomOf(DataType.FLOAT, new SplittableRandom(1), 1, batch, 1, 32, 32);
            return assertThrows(IllegalArgumentException.class, () -> split.forwardBackward(0, views, views, 0))
                    .getMessage();
        }
    }

    @Test
    void aReplicaThatDivergesStopsEveryReplicaNamingItself() {
        try (Method primary = TinyRun.create("simclr", 5);
                DataParallel split = new DataParallel(primary, DataParallel.Options.replicas(3))) {
            INDArray views = GradCheck.randomOf(DataType.FLOAT, new SplittableRandom(2), 1, 12, 1, 32, 32);
            INDArray poisoned = views.dup();
            // Only replica 1's rows are NaN: replicas 0 and 2 would wait for it forever without the
            // abort.
            poisoned.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(4, 8)).assign(Float.NaN);
            TrainingDivergedException e =
                    assertThrows(TrainingDivergedException.class, () -> split.forwardBackward(7, poisoned, views, 0));
            assertEquals(7, e.step());
            assertEquals("replica 1: encoder output a_projection", e.tensor());
            // The group is usable again afterwards.
            StepOutcome ok = split.forwardBackward(8, views, views, 0);
            assertTrue(Double.isFinite(ok.loss()), ok.toString());
        }
    }

    @Test
    void aReplicaThatNeverArrivesTimesTheOthersOut() {
        Collectives present =
                new InProcessGroup(2, Duration.ofMillis(200)).replicas().get(0);
        CollectiveException e = assertThrows(CollectiveException.class, () -> present.allReduceSum(new double[] {1}));
        assertTrue(e.getMessage().contains("timed out after PT0.2S waiting for the other replicas"), e.getMessage());
    }

    private static void assertClose(String what, double expected, double actual, double tolerance) {
        assertEquals(expected, actual, tolerance * Math.max(1, Math.abs(expected)), what);
    }

    private static void assertRelative(String what, INDArray expected, INDArray actual, double tolerance) {
        double difference = expected.sub(actual).norm2Number().doubleValue();
        double scale = Math.max(1e-12, expected.norm2Number().doubleValue());
        assertTrue(difference / scale <= tolerance, what + ": relative L2 difference " + difference / scale);
    }
}
