package dev.contrastive.models.encoder;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.nn.Parameters;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * backwardToParameters, which skips the input gradient, adds the same parameter gradients as
 * backward.
 */
class ParameterGradientsOnlyTest {

    @Test
    void amdimParameterGradientsMatchFullBackward() {
        SplittableRandom rnd = new SplittableRandom(31);
        INDArray x = GradCheck.randomOf(DataType.FLOAT, rnd, 1, 6, 1, 32, 32);
        try (AmdimEncoder enc = AmdimEncoder.create(EncoderFixtures.amdim(32, 1, 8, 32, 1, true), DataType.FLOAT, 2)) {
            AmdimFeatures f = enc.forward(x, true);
            AmdimFeatures d = EncoderFixtures.outputGradients(DataType.FLOAT, rnd, f);
            assertSameParameterGradients(
                    enc.parameters(),
                    () -> enc.backward(d.r1(), d.r5(), d.r7()),
                    () -> enc.forward(x, true),
                    () -> enc.backwardToParameters(d.r1(), d.r5(), d.r7()));
        }
    }

    @Test
    void cpcParameterGradientsMatchFullBackward() {
        SplittableRandom rnd = new SplittableRandom(32);
        INDArray x = GradCheck.randomOf(DataType.FLOAT, rnd, 1, 2, 1, 32, 32);
        try (CpcEncoder enc = CpcEncoder.create(EncoderFixtures.tinyCpc(1).build(), DataType.FLOAT, 2)) {
            CpcFeatures f = enc.forward(x, true);
            INDArray dt = GradCheck.randomOf(DataType.FLOAT, rnd, 1, f.targets().shape());
            List<INDArray> dp = GradCheck.randomLike(DataType.FLOAT, rnd, f.predictions());
            assertSameParameterGradients(
                    enc.parameters(),
                    () -> enc.backward(dt, dp, null),
                    () -> enc.forward(x, true),
                    () -> enc.backwardToParameters(dt, dp, null));
        }
    }

    /**
     * The full {@code backward} from zeroed gradients, then {@code forward} again and {@code
     * backwardToParameters} from zeroed gradients: the same parameter gradients.
     */
    private static void assertSameParameterGradients(
            Parameters p, Runnable backward, Runnable forward, Runnable backwardToParameters) {
        p.zeroGrad();
        backward.run();
        INDArray full = p.flatGrads().dup();
        forward.run();
        p.zeroGrad();
        backwardToParameters.run();
        assertSame(full, p.flatGrads());
    }

    static void assertSame(INDArray full, INDArray onlyParameters) {
        double scale = Math.max(1.0, full.amaxNumber().doubleValue());
        double diff = full.sub(onlyParameters).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-5 * scale, "parameter gradients differ by " + diff + " (largest " + scale + ")");
    }
}
