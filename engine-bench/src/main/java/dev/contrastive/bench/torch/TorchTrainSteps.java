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
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

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
        private final Weights weights;
        private final TorchAmdimEncoder encoder;
        private final AmdimOptions lossOptions;

        /** Copies {@code ours} (the encoder's parameters) into {@code manager}. */
        public Amdim(
                AmdimConfig config,
                Parameters ours,
                AmdimOptions lossOptions,
                AdamOptions adamOptions,
                NDManager manager) {
            this.weights = new Weights(ours, adamOptions, manager);
            this.encoder = new TorchAmdimEncoder(config, weights.params);
            this.lossOptions = lossOptions;
        }

        public TorchParameters parameters() {
            return weights.params;
        }

        public TorchAmdimEncoder encoder() {
            return encoder;
        }

        /** Forward, loss, backward and update; returns the loss. */
        public double step(NDArray viewA, NDArray viewB, long lossSeed, double lr) {
            return weights.step(lr, List.of(viewA, viewB), scope -> {
                Map<String, NDArray> a = encoder.forward(viewA, true);
                Map<String, NDArray> b = encoder.forward(viewB, true);
                return sum(TorchLosses.amdimGraph(a, b, lossOptions, SourceSampler.random(lossSeed), scope));
            });
        }

        /**
         * The encoder alone on one view, training mode; with {@code backward}, autograd of {@code
         * sum(r^2) / 2} over the taps, whose gradient is each tap itself (what EncoderTiming feeds our
         * backward). Gradients are zeroed afterwards.
         */
        public void encoderPass(NDArray x, boolean backward) {
            weights.encoderPass(x, backward, () -> encoder.forward(x, true).values());
        }
    }

    /** CPC v2: one view per step. */
    public static final class Cpc {
        private final Weights weights;
        private final TorchCpcEncoder encoder;
        private final CpcOptions lossOptions;

        public Cpc(
                CpcConfig config, Parameters ours, CpcOptions lossOptions, AdamOptions adamOptions, NDManager manager) {
            this.weights = new Weights(ours, adamOptions, manager);
            this.encoder = new TorchCpcEncoder(config, weights.params);
            this.lossOptions = lossOptions;
        }

        public TorchParameters parameters() {
            return weights.params;
        }

        public TorchCpcEncoder encoder() {
            return encoder;
        }

        /**
         * The model alone, as {@link Amdim#encoderPass}: backward of {@code sum(t^2) / 2} over targets
         * and predictions.
         */
        public void encoderPass(NDArray images, boolean backward) {
            weights.encoderPass(images, backward, () -> {
                TorchCpcEncoder.Output out = encoder.forward(images);
                List<NDArray> maps = new ArrayList<>(out.predictions());
                maps.add(out.targets());
                return maps;
            });
        }

        public double step(NDArray images, double lr) {
            return weights.step(lr, List.of(images), scope -> {
                TorchCpcEncoder.Output out = encoder.forward(images);
                return sum(TorchLosses.cpcGraph(out.targets(), out.predictions(), lossOptions, scope));
            });
        }
    }

    /**
     * SimCLR: trunk and projection head called once per view (batch statistics per view, as ours with
     * its replicas), NT-Xent ({@link TorchLosses#infoNceGraph}) on the two projections.
     */
    public static final class SimClr {
        private final Weights weights;
        private final TorchSimClr model;

        /** Copies {@code ours} (the method's parameters: trunk and head) into {@code manager}. */
        public SimClr(SimClrConfig config, Parameters ours, AdamOptions adamOptions, NDManager manager) {
            this.weights = new Weights(ours, adamOptions, manager);
            this.model = new TorchSimClr(config, weights.params);
        }

        public TorchParameters parameters() {
            return weights.params;
        }

        public TorchSimClr model() {
            return model;
        }

        /** Forward of both views, NT-Xent, backward and update; returns the loss. */
        public double step(NDArray viewA, NDArray viewB, double lr) {
            return weights.step(lr, List.of(viewA, viewB), scope -> {
                NDArray za = model.forward(viewA, true);
                NDArray zb = model.forward(viewB, true);
                return sum(TorchLosses.infoNceGraph(za, zb, model.config().loss(), scope));
            });
        }
    }

    /**
     * What every peer trains: the parameters copied into its manager and their Adam moments, and the
     * sub-manager each call runs in, with the parameters, moments and inputs borrowed into it.
     */
    private static final class Weights {
        private final NDManager manager;
        private final TorchParameters params;
        private final TorchAdam adam;

        Weights(Parameters ours, AdamOptions adamOptions, NDManager manager) {
            this.manager = manager;
            this.params = new TorchParameters(ours, manager);
            this.adam = new TorchAdam(adamOptions, params, manager);
        }

        /** {@code loss} recorded under autograd, its backward and one Adam update; returns the loss. */
        double step(double lr, List<NDArray> inputs, Function<NDManager, NDArray> loss) {
            try (NDManager scope = manager.newSubManager()) {
                borrow(scope, inputs);
                double value;
                try (GradientCollector collector = TorchRuntime.engine().newGradientCollector()) {
                    NDArray total = loss.apply(scope);
                    collector.backward(total);
                    value = total.toType(DataType.FLOAT64, false).getDouble();
                }
                adam.step(lr, scope);
                return value;
            }
        }

        /**
         * {@code forward} of an encoder on {@code x} alone, or with {@code backward} autograd of the
         * sum of {@code r^2 / 2} over its outputs; gradients are zeroed afterwards.
         */
        void encoderPass(NDArray x, boolean backward, Supplier<Collection<NDArray>> forward) {
            try (NDManager scope = manager.newSubManager()) {
                borrow(scope, List.of(x));
                if (!backward) {
                    forward.get();
                    return;
                }
                try (GradientCollector collector = TorchRuntime.engine().newGradientCollector()) {
                    NDArray total = null;
                    for (NDArray r : forward.get()) {
                        NDArray half = r.mul(r).sum().mul(0.5);
                        total = total == null ? half : total.add(half);
                    }
                    collector.backward(total);
                }
                zeroGrads(scope);
            }
        }

        private void borrow(NDManager scope, List<NDArray> inputs) {
            List<NDArray> all = new ArrayList<>(params.all());
            all.addAll(adam.state());
            all.addAll(inputs);
            for (NDArray x : all) {
                x.tempAttach(scope);
            }
        }

        private void zeroGrads(NDManager scope) {
            for (NDArray p : params.trainable().values()) {
                NDArray g = p.getGradient();
                g.attach(scope);
                g.muli(0);
            }
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
