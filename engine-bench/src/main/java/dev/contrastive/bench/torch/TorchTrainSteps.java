package dev.contrastive.bench.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.CpcOptions;
import dev.contrastive.core.loss.SourceSampler;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.CpcConfig;
import dev.contrastive.models.method.simclr.SimClrConfig;
import dev.contrastive.models.nn.Parameters;
import dev.contrastive.models.train.optim.AdamOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The PyTorch training steps the benchmark compares ours with: forward (both views for AMDIM and
 * SimCLR), the loss of {@link TorchLosses}, {@code backward()} through autograd, one {@link
 * TorchAdam} update. Each call runs in a sub-manager that is closed before it returns, with the
 * parameters, moments and inputs borrowed into it, so nothing a step creates outlives it.
 */
public final class TorchTrainSteps {

    private TorchTrainSteps() {}

    /** AMDIM: one encoder, two views per step, as amdim-public's training loop. */
    public static final class Amdim {
        private final NDManager manager;
        private final TorchParameters params;
        private final TorchAmdimEncoder encoder;
        private final AmdimOptions lossOptions;
        private final TorchAdam adam;

        /** Copies {@code ours} (the encoder's parameters) into {@code manager}. */
        public Amdim(
                AmdimConfig config,
                Parameters ours,
                AmdimOptions lossOptions,
                AdamOptions adamOptions,
                NDManager manager) {
            this.manager = manager;
            this.params = new TorchParameters(ours, manager);
            this.encoder = new TorchAmdimEncoder(config, params);
            this.lossOptions = lossOptions;
            this.adam = new TorchAdam(adamOptions, params, manager);
        }

        public TorchParameters parameters() {
            return params;
        }

        public TorchAmdimEncoder encoder() {
            return encoder;
        }

        /** Forward, loss, backward and update; returns the loss. */
        public double step(NDArray viewA, NDArray viewB, long lossSeed, double lr) {
            try (NDManager scope = manager.newSubManager()) {
                borrow(scope, params, adam, viewA, viewB);
                double loss;
                try (GradientCollector collector = TorchRuntime.engine().newGradientCollector()) {
                    Map<String, NDArray> a = encoder.forward(viewA, true);
                    Map<String, NDArray> b = encoder.forward(viewB, true);
                    NDArray total =
                            sum(TorchLosses.amdimGraph(a, b, lossOptions, SourceSampler.random(lossSeed), scope));
                    collector.backward(total);
                    loss = total.toType(DataType.FLOAT64, false).getDouble();
                }
                adam.step(lr, scope);
                return loss;
            }
        }

        /**
         * The encoder alone on one view, training mode; with {@code backward}, autograd of {@code
         * sum(r^2) / 2} over the taps, whose gradient is each tap itself (what EncoderTiming feeds our
         * backward). Gradients are zeroed afterwards.
         */
        public void encoderPass(NDArray x, boolean backward) {
            try (NDManager scope = manager.newSubManager()) {
                borrow(scope, params, adam, x);
                if (!backward) {
                    encoder.forward(x, true);
                    return;
                }
                try (GradientCollector collector = TorchRuntime.engine().newGradientCollector()) {
                    NDArray total = null;
                    for (NDArray r : encoder.forward(x, true).values()) {
                        NDArray half = r.mul(r).sum().mul(0.5);
                        total = total == null ? half : total.add(half);
                    }
                    collector.backward(total);
                }
                zeroGrads(scope, params);
            }
        }
    }

    /** CPC v2: one view per step. */
    public static final class Cpc {
        private final NDManager manager;
        private final TorchParameters params;
        private final TorchCpcEncoder encoder;
        private final CpcOptions lossOptions;
        private final TorchAdam adam;

        public Cpc(
                CpcConfig config, Parameters ours, CpcOptions lossOptions, AdamOptions adamOptions, NDManager manager) {
            this.manager = manager;
            this.params = new TorchParameters(ours, manager);
            this.encoder = new TorchCpcEncoder(config, params);
            this.lossOptions = lossOptions;
            this.adam = new TorchAdam(adamOptions, params, manager);
        }

        public TorchParameters parameters() {
            return params;
        }

        public TorchCpcEncoder encoder() {
            return encoder;
        }

        /**
         * The model alone, as {@link Amdim#encoderPass}: backward of {@code sum(t^2) / 2} over targets
         * and predictions.
         */
        public void encoderPass(NDArray images, boolean backward) {
            try (NDManager scope = manager.newSubManager()) {
                borrow(scope, params, adam, images);
                if (!backward) {
                    encoder.forward(images);
                    return;
                }
                try (GradientCollector collector = TorchRuntime.engine().newGradientCollector()) {
                    TorchCpcEncoder.Output out = encoder.forward(images);
                    List<NDArray> maps = new ArrayList<>(out.predictions());
                    maps.add(out.targets());
                    NDArray total = null;
                    for (NDArray r : maps) {
                        NDArray half = r.mul(r).sum().mul(0.5);
                        total = total == null ? half : total.add(half);
                    }
                    collector.backward(total);
                }
                zeroGrads(scope, params);
            }
        }

        public double step(NDArray images, double lr) {
            try (NDManager scope = manager.newSubManager()) {
                borrow(scope, params, adam, images);
                double loss;
                try (GradientCollector collector = TorchRuntime.engine().newGradientCollector()) {
                    TorchCpcEncoder.Output out = encoder.forward(images);
                    NDArray total = sum(TorchLosses.cpcGraph(out.targets(), out.predictions(), lossOptions, scope));
                    collector.backward(total);
                    loss = total.toType(DataType.FLOAT64, false).getDouble();
                }
                adam.step(lr, scope);
                return loss;
            }
        }
    }

    /**
     * SimCLR: trunk and projection head called once per view (batch statistics per view, as ours with
     * its replicas), NT-Xent ({@link TorchLosses#infoNceGraph}) on the two projections.
     */
    public static final class SimClr {
        private final NDManager manager;
        private final TorchParameters params;
        private final TorchSimClr model;
        private final TorchAdam adam;

        /** Copies {@code ours} (the method's parameters: trunk and head) into {@code manager}. */
        public SimClr(SimClrConfig config, Parameters ours, AdamOptions adamOptions, NDManager manager) {
            this.manager = manager;
            this.params = new TorchParameters(ours, manager);
            this.model = new TorchSimClr(config, params);
            this.adam = new TorchAdam(adamOptions, params, manager);
        }

        public TorchParameters parameters() {
            return params;
        }

        public TorchSimClr model() {
            return model;
        }

        /** Forward of both views, NT-Xent, backward and update; returns the loss. */
        public double step(NDArray viewA, NDArray viewB, double lr) {
            try (NDManager scope = manager.newSubManager()) {
                borrow(scope, params, adam, viewA, viewB);
                double loss;
                try (GradientCollector collector = TorchRuntime.engine().newGradientCollector()) {
                    NDArray za = model.forward(viewA, true);
                    NDArray zb = model.forward(viewB, true);
                    NDArray total =
                            sum(TorchLosses.infoNceGraph(za, zb, model.config().loss(), scope));
                    collector.backward(total);
                    loss = total.toType(DataType.FLOAT64, false).getDouble();
                }
                adam.step(lr, scope);
                return loss;
            }
        }
    }

    private static void borrow(NDManager scope, TorchParameters params, TorchAdam adam, NDArray... inputs) {
        List<NDArray> all = new ArrayList<>(params.all());
        all.addAll(adam.state());
        all.addAll(List.of(inputs));
        for (NDArray x : all) {
            x.tempAttach(scope);
        }
    }

    private static void zeroGrads(NDManager scope, TorchParameters params) {
        for (NDArray p : params.trainable().values()) {
            NDArray g = p.getGradient();
            g.attach(scope);
            g.muli(0);
        }
    }

    private static NDArray sum(Map<String, NDArray> parts) {
        NDArray total = null;
        for (NDArray part : parts.values()) {
            total = total == null ? part : total.add(part);
        }
        return total;
    }
}
