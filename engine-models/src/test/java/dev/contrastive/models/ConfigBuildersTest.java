package dev.contrastive.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.CpcConfig;
import dev.contrastive.models.eval.ProbeOptions;
import dev.contrastive.models.train.optim.AdamOptions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The builders of the configs with more than four numbers: published defaults, toBuilder round
 * trips, and a bad value rejected by its setter, the message naming the field and its range.
 */
class ConfigBuildersTest {

    @Test
    void defaultsArePublishedConfigurations() {
        assertEquals(AmdimConfig.publishedCifar(), AmdimConfig.builder().build());
        assertEquals(
                List.of(32, 3, 128, 1024, 3, false),
                amdimSettings(AmdimConfig.builder().build()));
        CpcConfig cpc = CpcConfig.cifar();
        assertEquals(
                List.of(32, 3, 8, 4, 64, 3, 256, 64, 3),
                List.of(
                        cpc.imageSize(),
                        cpc.inChannels(),
                        cpc.patchSize(),
                        cpc.patchStride(),
                        cpc.width(),
                        cpc.blocksPerStage(),
                        cpc.contextChannels(),
                        cpc.targetDim(),
                        cpc.predictionSteps()));
        AdamOptions adam = AdamOptions.amdim();
        assertEquals(
                List.of(2e-4, 0.8, 0.999, 1e-8, 1e-5, 0.0),
                List.of(adam.lr(), adam.beta1(), adam.beta2(), adam.eps(), adam.weightDecay(), adam.maxGradNorm()));
        assertEquals(false, adam.decoupled());
        ProbeOptions probe = ProbeOptions.defaults();
        assertEquals(
                List.of(300.0, 3e-3, 1e-4, 512.0, 0.0, 0.1),
                List.of(
                        (double) probe.epochs(),
                        probe.learningRate(),
                        probe.l2(),
                        (double) probe.batchSize(),
                        (double) probe.seed(),
                        probe.validationFraction()));
    }

    @Test
    void toBuilderRoundTripsAndChangesOnlyWhatIsSet() {
        AmdimConfig amdim = AmdimConfig.small(1);
        assertEquals(amdim, amdim.toBuilder().build());
        assertEquals(amdim.hashCode(), amdim.toBuilder().build().hashCode());
        AmdimConfig wider = amdim.toBuilder().ndf(64).nRkhs(512).build();
        assertNotEquals(amdim, wider);
        assertEquals(List.of(32, 1, 64, 512, 1, false), amdimSettings(wider));
        assertEquals(CpcConfig.small(1), CpcConfig.small(1).toBuilder().build());
        AdamOptions adamW = AdamOptions.amdim().withWeightDecay(0.05, true);
        assertEquals(adamW, adamW.toBuilder().build());
        assertEquals(
                ProbeOptions.defaults().withSeed(4),
                ProbeOptions.builder().seed(4).build());
        assertEquals(
                "AmdimConfig[encoderSize=32, inChannels=1, ndf=32, nRkhs=256, nDepth=1, useBn=false]",
                amdim.toString());
    }

    @Test
    void aSetterRejectsABadValueNamingTheFieldAndRange() {
        rejects(
                "amdim.ndf must be in [1, 4096], got 0",
                () -> AmdimConfig.builder().ndf(0));
        rejects(
                "amdim.nDepth must be in [1, 64], got 65",
                () -> AmdimConfig.builder().nDepth(65));
        rejects(
                "amdim.nRkhs must be in [1, 65536], got 0",
                () -> AmdimConfig.builder().nRkhs(0));
        rejects(
                "amdim.nRkhs must be in [512, 65536]",
                () -> AmdimConfig.builder().nRkhs(256).build());
        rejects(
                "cpc.width must be in [1, 1024], got 0",
                () -> CpcConfig.builder().width(0));
        rejects(
                "cpc.patchStride must be in [1, 8], got 9",
                () -> CpcConfig.builder().patchStride(9).build());
        rejects(
                "cpc.predictionSteps must be in [1, 1020], got 0",
                () -> CpcConfig.builder().predictionSteps(0));
        rejects(
                "cpc.predictionSteps must be in [1, 6]",
                () -> CpcConfig.builder().predictionSteps(7).build());
        rejects(
                "adam.beta2 must be in [0, 1), got 1.0",
                () -> AdamOptions.builder().beta2(1));
        rejects(
                "probe.validationFraction must be in [0, 0.5), got 0.5",
                () -> ProbeOptions.builder().validationFraction(0.5));
    }

    private static List<Object> amdimSettings(AmdimConfig c) {
        return List.of(c.encoderSize(), c.inChannels(), c.ndf(), c.nRkhs(), c.nDepth(), c.useBn());
    }

    private static void rejects(String message, Executable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertEquals(true, e.getMessage().startsWith(message), e.getMessage());
    }
}
