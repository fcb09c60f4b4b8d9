package dev.contrastive.models.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.memory.NativeMemory;
import dev.contrastive.models.nn.FastPaths;
import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.train.TinyRun;
import dev.contrastive.models.train.optim.Adam;
import dev.contrastive.models.train.optim.AdamOptions;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Several training steps of every method, as the trainer runs them (each step in one reused
 * workspace scope, then an Adam update at lr 1e-2), with memory poisoning on and off ({@link
 * NativeMemory}): every loss, gradient, feature and weight stays finite, and at every step the
 * layers' fast paths ({@link FastPaths}) and the plain libnd4j-op path, run from the same weights
 * on the same batch, give the same loss and gradients within float32 tolerance. A read of memory no
 * one wrote (a kernel that depends on what a previous step, or another processor's BLAS, left in a
 * buffer) turns into NaN or a disagreement here on any machine.
 */
class TrainingStepNumericsTest {

    private static final int STEPS = 8;

    /** Float32 rounding of the two paths, on one step from identical weights. */
    private static final double LOSS_TOLERANCE = 1e-4;

    private static final double GRADIENT_TOLERANCE = 1e-3;

    private final boolean poisoningBefore = NativeMemory.poisoning();

    @AfterEach
    void restoreDefaults() {
        FastPaths.setEnabled(true);
        NativeMemory.setPoisoning(poisoningBefore);
    }

    static Stream<Arguments> methodsAndPoisoning() {
        return TinyRun.METHODS.stream().flatMap(m -> Stream.of(Arguments.of(m, true), Arguments.of(m, false)));
    }

    @ParameterizedTest(name = "{0}, poisoning {1}")
    @MethodSource("methodsAndPoisoning")
    void stepsStayFiniteAndTheFastPathsAgreeWithTheOpPath(String method, boolean poison) {
        NativeMemory.setPoisoning(poison);
        SplittableRandom rnd = new SplittableRandom(21);
        INDArray viewA = GradCheck.randomOf(DataType.FLOAT, rnd, 1, 8, 1, 32, 32);
        INDArray viewB = GradCheck.randomOf(DataType.FLOAT, rnd, 1, 8, 1, 32, 32);
        double first = Double.NaN;
        double last = Double.NaN;
        try (Method m = TinyRun.create(method, 3)) {
            Adam adam = new Adam(AdamOptions.amdim().withLr(1e-2), m.parameters());
            for (int i = 0; i < STEPS; i++) {
                StepOutcome fast = step(m, true, i, viewA, viewB);
                INDArray fastGrads = m.parameters().flatGrads().dup();
                StepOutcome plain = step(m, false, i, viewA, viewB);
                INDArray plainGrads = m.parameters().flatGrads();
                String at = method + " step " + i;
                assertEquals(
                        plain.loss(),
                        fast.loss(),
                        LOSS_TOLERANCE * Math.max(1, Math.abs(plain.loss())),
                        at + ": loss, fast paths against the op path");
                double gradientDifference =
                        fastGrads.sub(plainGrads).norm2Number().doubleValue()
                                / plainGrads.norm2Number().doubleValue();
                assertTrue(
                        gradientDifference < GRADIENT_TOLERANCE,
                        at + ": gradients differ by " + gradientDifference + " (relative L2) between the paths");
                adam.step(m.parameters(), 1e-2);
                assertTrue(StepChecks.allFinite(m.parameters().flatValues()), at + ": weights after the update");
                assertTrue(StepChecks.allFinite(m.parameters().flatBuffers()), at + ": running statistics");
                first = i == 0 ? plain.loss() : first;
                last = plain.loss();
            }
        }
        assertTrue(last != first, method + ": the updates changed the loss");
    }

    /** One step on the chosen path; fails on any non-finite value. */
    private static StepOutcome step(Method m, boolean fastPaths, int i, INDArray viewA, INDArray viewB) {
        FastPaths.setEnabled(fastPaths);
        try (MemoryWorkspace ws = NativeMemory.scope("numerics-step")) {
            StepOutcome o = m.forwardBackward(i, viewA, viewB, i);
            String at = m.config().method() + " step " + i + (fastPaths ? " (fast paths)" : " (op path)");
            assertTrue(
                    Double.isFinite(o.loss()) && Double.isFinite(o.gradNorm()),
                    at + ": loss " + o.loss() + ", gradient norm " + o.gradNorm());
            assertTrue(StepChecks.allFinite(o.features()), at + ": probe features");
            assertTrue(StepChecks.allFinite(m.parameters().flatGrads()), at + ": gradients");
            return new StepOutcome(o.loss(), o.parts(), o.accuracy(), o.gradNorm(), null);
        }
    }
}
