package dev.contrastive.models.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import dev.contrastive.core.loss.CpcOptions;
import dev.contrastive.core.memory.NativeMemory;
import dev.contrastive.models.encoder.CpcConfig;
import dev.contrastive.models.encoder.EncoderFixtures;
import dev.contrastive.models.method.cpc.CpcMethodConfig;
import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.nn.Parameters;
import dev.contrastive.models.train.TinyRun;
import dev.contrastive.models.train.optim.Adam;
import dev.contrastive.models.train.optim.AdamOptions;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every method's step, on its tiny config: the parameter gradients it leaves equal float64 finite
 * differences of its own loss, Adam on a fixed batch lowers the loss, evaluation changes nothing,
 * and the probe features have the declared width.
 */
class MethodStepTest {

    private static INDArray[] views(DataType type, long seed, int batch) {
        SplittableRandom rnd = new SplittableRandom(seed);
        return new INDArray[] {
            GradCheck.randomOf(type, rnd, 1, batch, 1, 32, 32), GradCheck.randomOf(type, rnd, 1, batch, 1, 32, 32)
        };
    }

    /** The step's gradient along a random direction equals the central difference of its loss. */
    @ParameterizedTest
    @ValueSource(strings = {"amdim", "cpc", "yadim", "simclr"})
    void parameterGradientsMatchFiniteDifferencesOfTheLoss(String name) {
        SplittableRandom rnd = new SplittableRandom(11);
        INDArray[] v = views(DataType.DOUBLE, 12, 4);
        try (Method method = TinyRun.create(name, DataType.DOUBLE, 5)) {
            Parameters p = method.parameters();
            // Away from the zero-initialised residual branches, so that every layer's gradient counts.
            p.flatValues().addi(GradCheck.random(rnd, 0.05, p.flatValues().length()));
            INDArray theta = p.flatValues().dup();
            INDArray direction = GradCheck.random(rnd, 1, theta.length());
            direction.divi(direction.norm2Number());
            method.forwardBackward(0, v[0], v[1], 3);
            double analytic = p.flatGrads().mul(direction).sumNumber().doubleValue();
            double h = 1e-5;
            p.flatValues().assign(theta.add(direction.mul(h)));
            double up = method.forwardBackward(0, v[0], v[1], 3).loss();
            p.flatValues().assign(theta.sub(direction.mul(h)));
            double down = method.forwardBackward(0, v[0], v[1], 3).loss();
            double numeric = (up - down) / (2 * h);
            assertTrue(Math.abs(analytic) > 1e-6, name + ": a non-trivial directional derivative: " + analytic);
            assertEquals(
                    numeric,
                    analytic,
                    1e-5 * Math.max(1, Math.abs(numeric)),
                    name + ": directional derivative, numeric " + numeric + " vs analytic " + analytic);
        }
    }

    /** A fixed batch is learned: 30 Adam steps take the loss at least 10% below where it starts. */
    @ParameterizedTest
    @ValueSource(strings = {"amdim", "cpc", "yadim", "simclr"})
    void lossFallsOverThirtyAdamStepsOnAFixedBatch(String name) {
        INDArray[] v = views(DataType.FLOAT, 3, 8);
        try (Method method = TinyRun.create(name, 7)) {
            Adam adam = new Adam(AdamOptions.amdim().withLr(1e-2).withWeightDecay(0, false), method.parameters());
            double first = Double.NaN;
            double last = Double.NaN;
            for (int i = 0; i < 30; i++) {
                try (MemoryWorkspace ws = NativeMemory.scope("method-step-test")) {
                    StepOutcome o = method.forwardBackward(i, v[0], v[1], i);
                    adam.step(method.parameters(), 1e-2);
                    first = i == 0 ? o.loss() : first;
                    last = o.loss();
                }
            }
            assertTrue(last < 0.9 * first, name + ": loss " + first + " -> " + last);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"amdim", "cpc", "yadim", "simclr"})
    void evaluationLeavesTheParametersAndStatisticsAloneAndFeaturesHaveTheDeclaredWidth(String name) {
        INDArray[] v = views(DataType.FLOAT, 4, 6);
        try (Method method = TinyRun.create(name, 8)) {
            float[] values = method.parameters().flatValues().toFloatVector();
            float[] buffers = method.parameters().flatBuffers().toFloatVector();
            StepOutcome o = method.evaluate(v[0], v[1], 1);
            assertTrue(Double.isFinite(o.loss()) && Double.isNaN(o.gradNorm()), o.toString());
            assertArrayEquals(new long[] {6, method.featureDim()}, o.features().shape());
            assertArrayEquals(
                    new long[] {6, method.featureDim()}, method.features(v[0]).shape());
            assertArrayEquals(values, method.parameters().flatValues().toFloatVector());
            assertArrayEquals(buffers, method.parameters().flatBuffers().toFloatVector());
        }
    }

    @Test
    void cpcTakesWholeImagesOrItsOwnPatchGridAlike() {
        try (Method method = TinyRun.create("cpc", 9)) {
            INDArray images = views(DataType.FLOAT, 5, 2)[0];
            double whole = method.evaluate(images, null, 0).loss();
            INDArray patches = patchGrid(images, 7, 8, 4);
            assertEquals(whole, method.evaluate(patches, null, 0).loss(), 1e-5 * Math.abs(whole));
            assertEquals(
                    whole,
                    method.evaluate(patches.reshape(2, 49, 1, 8, 8), null, 0).loss(),
                    1e-5 * Math.abs(whole));
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> method.evaluate(images.reshape(2, 1, 16, 64), null, 0));
            assertTrue(e.getMessage().contains("(B, 1, 32, 32)"), e.getMessage());
        }
    }

    @Test
    void cpcHeadsMustMatchThePredictedOffsets() {
        CpcConfig model = EncoderFixtures.tinyCpc(1).build();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new CpcMethodConfig(model, CpcOptions.defaults().withSteps(2, 2)));
        assertTrue(e.getMessage().contains("must equal cpc.model.predictionSteps (3)"), e.getMessage());
    }

    /** (B * g * g, C, p, p) patches of (B, C, S, S) images, image-major then row-major. */
    private static INDArray patchGrid(INDArray images, int grid, int size, int stride) {
        long b = images.size(0);
        long c = images.size(1);
        INDArray out = Nd4j.create(images.dataType(), b, (long) grid * grid, c, size, size);
        for (int i = 0; i < grid; i++) {
            for (int j = 0; j < grid; j++) {
                out.get(all(), point((long) i * grid + j))
                        .assign(images.get(
                                all(),
                                all(),
                                interval(i * stride, i * stride + size),
                                interval(j * stride, j * stride + size)));
            }
        }
        return out.reshape(b * grid * grid, c, size, size);
    }
}
