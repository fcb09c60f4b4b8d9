package dev.contrastive.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import dev.contrastive.bench.torch.ConvShape;
import dev.contrastive.bench.torch.ConvTrace;
import dev.contrastive.bench.torch.TorchCpcEncoder;
import dev.contrastive.bench.torch.TorchParameters;
import dev.contrastive.bench.torch.TorchTrainSteps;
import dev.contrastive.core.loss.InfoNceOptions;
import dev.contrastive.core.memory.NativeMemory;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.encoder.AmdimFeatures;
import dev.contrastive.models.encoder.CpcConfig;
import dev.contrastive.models.encoder.CpcFeatures;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.TrainingDivergedException;
import dev.contrastive.models.method.amdim.AmdimMethod;
import dev.contrastive.models.method.amdim.AmdimMethodConfig;
import dev.contrastive.models.method.cpc.CpcMethod;
import dev.contrastive.models.method.cpc.CpcMethodConfig;
import dev.contrastive.models.method.simclr.SimClrConfig;
import dev.contrastive.models.method.simclr.SimClrMethod;
import dev.contrastive.models.nn.Arena;
import dev.contrastive.models.nn.BatchNorm2d;
import dev.contrastive.models.nn.Conv2d;
import dev.contrastive.models.nn.Module;
import dev.contrastive.models.nn.PadMode;
import dev.contrastive.models.nn.Parameters;
import dev.contrastive.models.nn.Sequential;
import dev.contrastive.models.train.optim.Adam;
import dev.contrastive.models.train.optim.AdamOptions;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The PyTorch models of the training benchmark compute what ours compute: with our weights copied
 * in, the features (SimCLR: the projections) agree to 1e-4 relative (max abs difference over max
 * abs value), and so do the losses of two consecutive training steps, the second of which depends
 * on the gradients and the Adam update of the first. Our step is the trainer's: {@link
 * Method#forwardBackward} then {@link Adam#step}, inside one {@code NativeMemory.scope}. Weights
 * are randomised first: amdim's zero-initialised residual branches would otherwise hide every
 * branch from the comparison.
 *
 * <p>Every loss comparison names its sides ("ours", "PyTorch"; ours is JUnit's "expected") and
 * first requires each side's loss to be finite, failing with a message that names the side and the
 * step (0-based: step 1 is the second, after one Adam update); a non-finite PyTorch loss also lists
 * the PyTorch parameters, buffers and gradients that were not finite as that step began, to tell a
 * bad gradient or update of the previous step from a bad forward pass or loss of this one. A
 * non-finite loss of ours surfaces as our step's {@link TrainingDivergedException}, reported as
 * ours.
 *
 * <p>Observed, not explained: a CI run on an AMD EPYC machine failed {@link
 * #cpcFeaturesAndTrainingLossesAgree} with {@code loss of step 1 ==> expected: <14.97> but was:
 * <NaN>}. The assertion then was {@code assertEquals(mine, theirs, ...)}, with our loss as
 * "expected", so the NaN was the PyTorch peer's (DJL's libtorch with its MKL / oneDNN CPU kernels)
 * second step, not ours: our step 1 gave 14.97, and the step-0 losses had agreed. It did not occur
 * on the Intel Xeon machine these tests were last run on, so its cause (the step-0 backward or Adam
 * update, or the step-1 forward) is not known; the messages above are there so that the next
 * occurrence says which side, which step and which PyTorch tensors went non-finite. The comparison
 * is neither skipped nor loosened on any machine.
 */
class TorchEncodersTest {

    private static final double TOLERANCE = 1e-4;

    /** Large enough that step 2's loss visibly differs from step 1's. */
    private static final double LR = 1e-2;

    /**
     * AMDIM's published Adam (beta1 0.8, beta2 0.999, eps 1e-8, coupled weight decay 1e-5, no
     * clipping) at {@link #LR}.
     */
    private static final AdamOptions ADAM = AdamOptions.amdim().withLr(LR);

    /** The trainer's per-step workspace scope. */
    private static final String STEP_SCOPE = "train-step";

    @RegisterExtension
    static final TorchManager TORCH = new TorchManager();

    /** Batch norm inside the blocks and n_depth 2, so every layer kind of the encoder is compared. */
    private static AmdimConfig everyLayerKind() {
        return AmdimConfig.builder()
                .encoderSize(32)
                .inChannels(3)
                .ndf(8)
                .nRkhs(48)
                .nDepth(2)
                .useBn(true)
                .build();
    }

    /** {@code batch} 3 x 32 x 32 images of Gaussian pixels drawn with {@code seed}. */
    private static INDArray images(long seed, int batch) {
        return RandomInputs.nd4j(RandomInputs.gaussian(seed, batch * 3 * 32 * 32), batch, 3, 32, 32);
    }

    @Test
    void amdimFeaturesAndTrainingLossesAgree() {
        AmdimMethodConfig cfg = AmdimMethodConfig.of(everyLayerKind());
        int batch = 6;
        INDArray viewA = images(1, batch);
        INDArray viewB = images(2, batch);
        try (AmdimMethod ours = new AmdimMethod(cfg, DataType.FLOAT, 5)) {
            randomise(ours.parameters(), 3);
            TorchTrainSteps.Amdim peer =
                    new TorchTrainSteps.Amdim(cfg.encoder(), ours.parameters(), cfg.loss(), ADAM, TORCH.get());
            NDArray a = torch(viewA);
            NDArray b = torch(viewB);
            AmdimFeatures f = ours.encoder().forward(viewA, true);
            Map<String, NDArray> g = peer.encoder().forward(a, true);
            assertClose("amdim r1", f.r1(), g.get("r1"));
            assertClose("amdim r5", f.r5(), g.get("r5"));
            assertClose("amdim r7", f.r7(), g.get("r7"));

            Adam adam = new Adam(ADAM, ours.parameters());
            double[][] losses = assertTwoStepsAgree(
                    "amdim",
                    peer.parameters(),
                    step -> ourStep(ours, adam, step, viewA, viewB, 40 + step),
                    step -> peer.step(a, b, 40 + step, LR));
            assertLossChanged("amdim", losses[0]);
        }
    }

    @Test
    void cpcFeaturesAndTrainingLossesAgree() {
        CpcMethodConfig cfg = CpcMethodConfig.of(CpcConfig.builder()
                .imageSize(32)
                .inChannels(3)
                .patchSize(8)
                .patchStride(4)
                .width(4)
                .blocksPerStage(2)
                .contextChannels(8)
                .targetDim(6)
                .predictionSteps(3)
                .build());
        int batch = 3;
        INDArray images = images(3, batch);
        try (CpcMethod ours = new CpcMethod(cfg, DataType.FLOAT, 6)) {
            randomise(ours.parameters(), 4);
            TorchTrainSteps.Cpc peer =
                    new TorchTrainSteps.Cpc(cfg.model(), ours.parameters(), cfg.loss(), ADAM, TORCH.get());
            NDArray x = torch(images);
            CpcFeatures f = ours.encoder().forward(images, true);
            TorchCpcEncoder.Output g = peer.encoder().forward(x);
            assertClose("cpc targets", f.targets(), g.targets());
            for (int s = 0; s < 3; s++) {
                assertClose(
                        "cpc prediction " + s,
                        f.predictions().get(s),
                        g.predictions().get(s));
            }
            Adam adam = new Adam(ADAM, ours.parameters());
            assertTwoStepsAgree(
                    "cpc",
                    peer.parameters(),
                    step -> ourStep(ours, adam, step, images, null, 0),
                    step -> peer.step(x, LR));
        }
    }

    /**
     * SimCLR: our trunk (the AMDIM encoder without r5 / r7 heads) and projection head against the
     * torch ones, then NT-Xent training steps. A hidden width unlike the representation's, so that a
     * transposed head weight cannot go unnoticed.
     */
    @Test
    void simclrProjectionsAndTrainingLossesAgree() {
        SimClrConfig cfg = new SimClrConfig(
                everyLayerKind(),
                32,
                16,
                InfoNceOptions.defaults()
                        .withTemperature(SimClrConfig.CIFAR_TEMPERATURE)
                        .withNormalize(true));
        int batch = 6;
        INDArray viewA = images(7, batch);
        INDArray viewB = images(8, batch);
        try (SimClrMethod ours = new SimClrMethod(cfg, DataType.FLOAT, 9)) {
            randomise(ours.parameters(), 10);
            TorchTrainSteps.SimClr peer = new TorchTrainSteps.SimClr(cfg, ours.parameters(), ADAM, TORCH.get());
            NDArray a = torch(viewA);
            NDArray b = torch(viewB);
            try (OurProjection projection = new OurProjection(cfg, ours.parameters())) {
                for (int v = 0; v < 2; v++) {
                    INDArray view = v == 0 ? viewA : viewB;
                    NDArray theirs = peer.model().forward(v == 0 ? a : b, true);
                    double rel = assertClose("simclr projection " + "ab".charAt(v), projection.forward(view), theirs);
                    System.out.printf(
                            Locale.ROOT,
                            "simclr projection %s: max |ours - PyTorch| / max |ours| = %.3g%n",
                            "ab".charAt(v),
                            rel);
                }
            }

            Adam adam = new Adam(ADAM, ours.parameters());
            double[][] losses = assertTwoStepsAgree(
                    "simclr",
                    peer.parameters(),
                    step -> ourStep(ours, adam, step, viewA, viewB, 50 + step),
                    step -> peer.step(a, b, LR));
            for (int step = 0; step < 2; step++) {
                double mine = losses[0][step];
                double theirs = losses[1][step];
                System.out.printf(
                        Locale.ROOT,
                        "simclr loss of step %d: ours %.8f, PyTorch %.8f, relative difference %.3g%n",
                        step,
                        mine,
                        theirs,
                        Math.abs(mine - theirs) / Math.abs(mine));
            }
            assertLossChanged("simclr", losses[0]);
        }
    }

    /**
     * The trace sees every convolution: the small AMDIM encoder runs 19 (13 in the trunk, 3 per tap).
     */
    @Test
    void convTraceListsTheEncodersLayers() {
        AmdimConfig cfg = AmdimConfig.small(1);
        try (AmdimEncoder ours = AmdimEncoder.create(cfg, DataType.FLOAT, 1)) {
            TorchTrainSteps.Amdim peer = new TorchTrainSteps.Amdim(
                    cfg, ours.parameters(), AmdimMethodConfig.of(cfg).loss(), ADAM, TORCH.get());
            NDArray x = TORCH.get().randomNormal(new ai.djl.ndarray.types.Shape(2, 1, 32, 32));
            List<ConvShape> convs = ConvTrace.record(() -> peer.encoder().forward(x, true));
            assertEquals(19, convs.size());
            assertArrayEquals(
                    new long[] {30, 30},
                    new long[] {convs.get(0).outH(), convs.get(0).outW()});
            assertEquals(2.0 * 2 * 32 * 30 * 30 * 1 * 3 * 3, convs.get(0).forwardFlops());
        }
    }

    /**
     * Our projection of a view, training mode, through our own modules bound to the method's sealed
     * parameters (a declaration on sealed {@link Parameters} binds to the tensor of that name, as the
     * method's replicas do): a trunk declared without tap heads, then the head composed as {@code
     * SimClrMethod}'s ProjectionHead composes it. {@code SimClrMethod} exposes the representation
     * ({@code StepOutcome.features}) but not the projection; the two training losses below check the
     * method's own head end to end.
     */
    private static final class OurProjection implements AutoCloseable {
        private final AmdimEncoder trunk;
        private final Arena arena = new Arena();
        private final Module head;

        OurProjection(SimClrConfig cfg, Parameters params) {
            int rep = cfg.trunk().nRkhs();
            SplittableRandom unused = new SplittableRandom(0);
            trunk = AmdimEncoder.declare(cfg.trunk(), params, 0, false);
            head = new Sequential(List.of(
                    new Conv2d(params, arena, "head.fc1", rep, cfg.hidden(), 1, 1, 0, false, PadMode.ZEROS, unused),
                    BatchNorm2d.withRelu(params, arena, "head.bn1.bn", cfg.hidden()),
                    new Conv2d(
                            params,
                            arena,
                            "head.fc2",
                            cfg.hidden(),
                            cfg.projection(),
                            1,
                            1,
                            0,
                            true,
                            PadMode.ZEROS,
                            unused)));
        }

        /** (B, projection). */
        INDArray forward(INDArray view) {
            arena.clear();
            INDArray z = head.forward(trunk.forward(view, true, false).r1(), true);
            return z.reshape(z.size(0), z.length() / z.size(0));
        }

        @Override
        public void close() {
            arena.close();
            trunk.close();
        }
    }

    /**
     * One training step of ours, as the trainer runs it; returns its loss. A non-finite value stops
     * our step with a {@link TrainingDivergedException}, reported here as ours.
     */
    private static double ourStep(Method ours, Adam adam, long step, INDArray viewA, INDArray viewB, long lossSeed) {
        try (MemoryWorkspace ws = NativeMemory.scope(STEP_SCOPE)) {
            double loss = ours.forwardBackward(step, viewA, viewB, lossSeed).loss();
            adam.step(ours.parameters(), LR);
            return loss;
        } catch (TrainingDivergedException e) {
            return fail(
                    ours.config().method()
                            + " step "
                            + step
                            + ": OUR step went non-finite (ND4J side, not"
                            + " PyTorch's): "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Checks that each side's loss of {@code step} is finite, naming the side that is not, then that
     * they agree to {@link #TOLERANCE} relative; returns ours.
     *
     * @param entering the PyTorch tensors that were not finite as the step began ({@link
     *     TorchParameters#nonFinite()}, taken before the peer's step: after it, a NaN has spread
     *     through the whole backward pass and names nothing)
     */
    /**
     * Steps 0 and 1 of ours and of the PyTorch peer, which starts from the same weights; each step's
     * losses must agree ({@link #assertLossesAgree}, told which peer tensors entered it non-finite).
     *
     * @return ours and PyTorch's loss of each step
     */
    private static double[][] assertTwoStepsAgree(
            String method, TorchParameters peer, LongToDoubleFunction ourStep, LongToDoubleFunction theirStep) {
        double[][] losses = new double[2][2];
        for (int i = 0; i < 2; i++) {
            long step = i;
            double mine = ourStep.applyAsDouble(step);
            List<String> entering = peer.nonFinite();
            double theirs = theirStep.applyAsDouble(step);
            losses[0][i] = assertLossesAgree(method, step, mine, theirs, entering);
            losses[1][i] = theirs;
        }
        return losses;
    }

    private static double assertLossesAgree(
            String method, long step, double ours, double pytorch, List<String> entering) {
        String which = method + " step " + step + (step == 0 ? "" : " (after " + step + " Adam update(s))");
        if (!Double.isFinite(ours)) {
            fail(which + ": OUR loss is not finite: ours " + ours + ", PyTorch " + pytorch);
        }
        if (!Double.isFinite(pytorch)) {
            String origin = entering.isEmpty()
                    ? "every PyTorch parameter, buffer and gradient was finite as the step began, so PyTorch's"
                            + " forward pass or loss of this step produced it"
                    : "PyTorch tensors already not finite as the step began (the previous step's gradients or"
                            + " update): "
                            + abbreviate(entering);
            fail(which
                    + ": the PyTorch peer's loss is not finite, ours is: ours "
                    + ours
                    + ", PyTorch "
                    + pytorch
                    + "; "
                    + origin);
        }
        assertEquals(
                ours,
                pytorch,
                TOLERANCE * Math.abs(ours),
                () -> which
                        + ": ours (expected) "
                        + ours
                        + " vs PyTorch (actual) "
                        + pytorch
                        + ", relative difference "
                        + Math.abs(ours - pytorch) / Math.abs(ours));
        return ours;
    }

    private static String abbreviate(List<String> names) {
        int shown = 12;
        return names.size() <= shown
                ? names.toString()
                : names.subList(0, shown) + " and " + (names.size() - shown) + " more";
    }

    private static void assertLossChanged(String method, double[] losses) {
        assertTrue(
                Math.abs(losses[1] - losses[0]) > 10 * TOLERANCE * Math.abs(losses[0]),
                method + ": the update changed the loss: " + losses[0] + " -> " + losses[1]);
    }

    private static void randomise(Parameters p, long seed) {
        INDArray values = p.flatValues();
        INDArray r = RandomInputs.nd4j(RandomInputs.gaussian(seed, values.length()), values.length());
        values.assign(r.muli(0.2));
    }

    private NDArray torch(INDArray x) {
        return TORCH.get().create(x.castTo(DataType.FLOAT).data().asFloat(), new ai.djl.ndarray.types.Shape(x.shape()));
    }

    /**
     * Asserts ours and PyTorch's arrays are finite and agree to {@link #TOLERANCE} of ours' max abs
     * value; returns max |ours - PyTorch| / max |ours|.
     */
    private static double assertClose(String name, INDArray ours, NDArray theirs) {
        assertArrayEquals(ours.shape(), theirs.getShape().getShape(), name + " shape, ours vs PyTorch");
        float[] a = ours.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] b = theirs.toFloatArray();
        double maxDiff = 0;
        double maxAbs = 0;
        int oursBad = 0;
        int theirsBad = 0;
        for (int i = 0; i < a.length; i++) {
            oursBad += Float.isFinite(a[i]) ? 0 : 1;
            theirsBad += Float.isFinite(b[i]) ? 0 : 1;
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            maxAbs = Math.max(maxAbs, Math.abs(a[i]));
        }
        assertEquals(0, oursBad, name + ": OUR array has non-finite values (of " + a.length + ")");
        assertEquals(0, theirsBad, name + ": the PyTorch array has non-finite values (of " + b.length + ")");
        assertTrue(maxAbs > 0, name + " is all zeros (ours)");
        String detail = name + ": max |ours - PyTorch| " + maxDiff + " vs max |ours| " + maxAbs;
        assertTrue(maxDiff <= TOLERANCE * maxAbs, detail);
        return maxDiff / maxAbs;
    }
}
