package dev.contrastive.models.encoder;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.nn.Parameters;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The encoder configs the tests build, each spelled out in one place, and the encoder tests' shared checks. */
public final class EncoderFixtures {

    /** The finite-difference step of the float64 gradient checks. */
    private static final double EPS = 1e-6;

    /** The largest error the float64 gradient checks accept. */
    private static final double TOL = 1e-6;

    private EncoderFixtures() {}

    /** An AMDIM encoder of the settings, in amdim-public's argument order. */
    public static AmdimConfig amdim(int size, int channels, int ndf, int nRkhs, int depth, boolean bn) {
        return AmdimConfig.builder()
                .encoderSize(size)
                .inChannels(channels)
                .ndf(ndf)
                .nRkhs(nRkhs)
                .nDepth(depth)
                .useBn(bn)
                .build();
    }

    /**
     * A CPC encoder for {@code channels} x 32 x 32 images in 8-pixel patches at stride 4 (a 7 x 7
     * grid), one block per stage and 3 prediction steps, of the widths given.
     */
    public static CpcConfig.Builder cpc32(int channels, int width, int contextChannels, int targetDim) {
        return CpcConfig.builder()
                .imageSize(32)
                .inChannels(channels)
                .patchSize(8)
                .patchStride(4)
                .width(width)
                .blocksPerStage(1)
                .contextChannels(contextChannels)
                .targetDim(targetDim)
                .predictionSteps(3);
    }

    /** {@link #cpc32} at the encoder tests' widths: width 2, 4 context channels, 3 target dims. */
    public static CpcConfig.Builder tinyCpc(int channels) {
        return cpc32(channels, 2, 4, 3);
    }

    /**
     * The AMDIM encoders the second-implementation comparisons run, with their batch: each input
     * size, one and three channels, depth 1 and 2, with and without batch norm.
     */
    static Stream<Arguments> amdimComparisons() {
        return Stream.of(
                Arguments.of(amdim(32, 3, 4, 16, 2, true), 4),
                Arguments.of(amdim(32, 1, 4, 32, 1, false), 3),
                Arguments.of(amdim(64, 3, 2, 16, 1, false), 4),
                Arguments.of(amdim(128, 3, 2, 16, 1, true), 4));
    }

    /** Random output gradients in [-1, 1) of the shapes of {@code f}, drawn r1, r5, r7. */
    static AmdimFeatures outputGradients(DataType type, SplittableRandom rnd, AmdimFeatures f) {
        INDArray w1 = GradCheck.randomOf(type, rnd, 1, f.r1().shape());
        INDArray w5 = GradCheck.randomOf(type, rnd, 1, f.r5().shape());
        INDArray w7 = GradCheck.randomOf(type, rnd, 1, f.r7().shape());
        return new AmdimFeatures(w1, w5, w7);
    }

    /**
     * The input gradient {@code dx} at {@code inputProbes} random entries, then every trainable
     * tensor's at {@code probes}, against central differences of {@code loss}, each within 1e-6.
     *
     * @return the worst error
     */
    static double checkGradients(
            Parameters p,
            INDArray x,
            INDArray dx,
            Supplier<Double> loss,
            int inputProbes,
            int probes,
            SplittableRandom rnd) {
        double worst = GradCheck.maxError(x, dx, loss, inputProbes, rnd, EPS);
        assertTrue(worst < TOL, "input gradient error " + worst);
        for (Parameters.Tensor t : p.trainable()) {
            double e = GradCheck.maxError(t.value(), t.grad(), loss, probes, rnd, EPS);
            assertTrue(e < TOL, t.name() + ": error " + e);
            worst = Math.max(worst, e);
        }
        return worst;
    }
}
