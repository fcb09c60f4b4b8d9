package dev.contrastive.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.contrastive.bench.materialized.MaterializedLosses;
import dev.contrastive.bench.materialized.MaterializedResult;
import dev.contrastive.bench.torch.TorchLosses;
import dev.contrastive.bench.torch.TorchResult;
import dev.contrastive.core.loss.AmdimLoss;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.CpcLoss;
import dev.contrastive.core.loss.CpcOptions;
import dev.contrastive.core.loss.InfoNceLoss;
import dev.contrastive.core.loss.InfoNceOptions;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.SourceSampler;
import dev.contrastive.core.loss.YadimLoss;
import dev.contrastive.core.loss.YadimOptions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The benchmark compares like with like: on small shapes the PyTorch losses, the materialised ND4J
 * losses and the fused losses agree on the loss, its parts and every gradient to a relative 1e-4.
 */
class TorchLossesTest {

    private static final double TOLERANCE = 1e-4;

    @RegisterExtension
    static final TorchManager TORCH = new TorchManager();

    /** The same float values as an ND4J array and a PyTorch array. */
    private record Input(INDArray nd4j, NDArray torch) {}

    private static Input input(long seed, long... shape) {
        float[] values = RandomInputs.gaussian(seed, RandomInputs.count(shape));
        return new Input(RandomInputs.nd4j(values, shape), RandomInputs.torch(TORCH.get(), values, shape));
    }

    @Test
    void infoNceAgreesAcrossImplementations() {
        Input a = input(1, 8, 16);
        Input b = input(2, 8, 16);
        for (InfoNceOptions options : new InfoNceOptions[] {
            InfoNceOptions.defaults(),
            InfoNceOptions.defaults().withNormalize(false).withTemperature(3)
        }) {
            try (LossResult fused = new InfoNceLoss(options).compute(a.nd4j(), b.nd4j());
                    MaterializedResult materialized = MaterializedLosses.infoNce(a.nd4j(), b.nd4j(), options);
                    TorchResult pytorch = TorchLosses.infoNce(a.torch(), b.torch(), options)) {
                Outcome expected = Outcome.of(fused);
                expected.assertMatches("materialized " + options, Outcome.of(materialized));
                expected.assertMatches("torch " + options, Outcome.of(pytorch));
            }
        }
    }

    @Test
    void amdimAgreesAcrossImplementations() {
        int batch = 6;
        int dim = 16;
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("r1", new long[] {batch, dim});
        shapes.put("r5", new long[] {batch, dim, 3, 3});
        shapes.put("r7", new long[] {batch, dim, 4, 4});
        // A map no comparison reads must come back with a zero gradient.
        shapes.put("r3", new long[] {batch, dim, 2, 2});
        Map<String, Input> a = new LinkedHashMap<>();
        Map<String, Input> b = new LinkedHashMap<>();
        long seed = 10;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            a.put(e.getKey(), input(seed++, e.getValue()));
            b.put(e.getKey(), input(seed++, e.getValue()));
        }
        SourceSampler sampler = SourceSampler.random(7);
        for (AmdimOptions options : new AmdimOptions[] {
            AmdimOptions.defaults(), AmdimOptions.defaults().withTclip(1.5)
        }) {
            try (LossResult fused = new AmdimLoss(options).compute(nd4j(a), nd4j(b), sampler);
                    MaterializedResult materialized = MaterializedLosses.amdim(nd4j(a), nd4j(b), options, sampler);
                    TorchResult pytorch = TorchLosses.amdim(torch(a), torch(b), options, sampler)) {
                Outcome expected = Outcome.of(fused);
                expected.assertMatches("materialized tclip " + options.tclip(), Outcome.of(materialized));
                expected.assertMatches("torch tclip " + options.tclip(), Outcome.of(pytorch));
                assertTrue(Arrays.stream(expected.gradients().get("a_r3")).allMatch(v -> v == 0));
            }
        }
    }

    @Test
    void yadimAgreesAcrossImplementations() {
        Input a = input(20, 5, 12, 3, 3);
        Input b = input(21, 5, 12, 3, 3);
        SourceSampler sampler = SourceSampler.random(11);
        YadimOptions options = YadimOptions.defaults();
        try (LossResult fused = new YadimLoss(options).compute(a.nd4j(), b.nd4j(), sampler);
                MaterializedResult materialized = MaterializedLosses.yadim(a.nd4j(), b.nd4j(), options, sampler);
                TorchResult pytorch = TorchLosses.yadim(a.torch(), b.torch(), options, sampler)) {
            Outcome expected = Outcome.of(fused);
            expected.assertMatches("materialized", Outcome.of(materialized));
            expected.assertMatches("torch", Outcome.of(pytorch));
        }
    }

    @Test
    void cpcAgreesAcrossImplementations() {
        long[] shape = {4, 8, 6, 5};
        Input targets = input(30, shape);
        List<Input> predictions = List.of(input(31, shape), input(32, shape), input(33, shape));
        CpcOptions options = CpcOptions.defaults().withEmbScale(0.5);
        List<INDArray> nd4jPredictions = predictions.stream().map(Input::nd4j).toList();
        try (LossResult fused = new CpcLoss(options).compute(targets.nd4j(), nd4jPredictions);
                MaterializedResult materialized = MaterializedLosses.cpc(targets.nd4j(), nd4jPredictions, options);
                TorchResult pytorch = TorchLosses.cpc(
                        targets.torch(), predictions.stream().map(Input::torch).toList(), options)) {
            Outcome expected = Outcome.of(fused);
            expected.assertMatches("materialized", Outcome.of(materialized));
            expected.assertMatches("torch", Outcome.of(pytorch));
        }
    }

    private static Map<String, INDArray> nd4j(Map<String, Input> view) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        view.forEach((name, x) -> m.put(name, x.nd4j()));
        return m;
    }

    private static Map<String, NDArray> torch(Map<String, Input> view) {
        Map<String, NDArray> m = new LinkedHashMap<>();
        view.forEach((name, x) -> m.put(name, x.torch()));
        return m;
    }

    @Test
    void comparisonDetectsADifferentTemperature() {
        Input a = input(3, 8, 16);
        Input b = input(4, 8, 16);
        InfoNceOptions options = InfoNceOptions.defaults();
        try (MaterializedResult materialized = MaterializedLosses.infoNce(a.nd4j(), b.nd4j(), options);
                TorchResult pytorch = TorchLosses.infoNce(a.torch(), b.torch(), options.withTemperature(0.11))) {
            Outcome expected = Outcome.of(materialized);
            Outcome other = Outcome.of(pytorch);
            assertTrue(relative(expected.loss(), other.loss()) > 10 * TOLERANCE);
            assertTrue(
                    maxRelative(expected.gradients().get("a"), other.gradients().get("a")) > 10 * TOLERANCE);
        }
    }

    /** Loss, parts and gradients of any implementation, as doubles in C order. */
    private record Outcome(double loss, Map<String, Double> parts, Map<String, double[]> gradients) {

        static Outcome of(LossResult r) {
            Map<String, double[]> g = new LinkedHashMap<>();
            r.gradients().forEach((name, x) -> g.put(name, values(x)));
            return new Outcome(r.loss(), r.parts(), g);
        }

        static Outcome of(MaterializedResult r) {
            Map<String, double[]> g = new LinkedHashMap<>();
            r.gradients().forEach((name, x) -> g.put(name, values(x)));
            return new Outcome(r.loss(), r.parts(), g);
        }

        static Outcome of(TorchResult r) {
            Map<String, double[]> g = new LinkedHashMap<>();
            r.gradients().forEach((name, x) -> g.put(name, values(x)));
            return new Outcome(r.loss(), r.parts(), g);
        }

        void assertMatches(String who, Outcome actual) {
            assertTrue(relative(loss, actual.loss) <= TOLERANCE, who + ": loss " + actual.loss + ", expected " + loss);
            assertEquals(parts.keySet(), actual.parts.keySet(), who + ": part names");
            parts.forEach((name, value) -> assertTrue(
                    relative(value, actual.parts.get(name)) <= TOLERANCE,
                    who + ": part " + name + " " + actual.parts.get(name) + ", expected " + value));
            assertEquals(gradients.keySet(), actual.gradients.keySet(), who + ": gradient names");
            gradients.forEach((name, g) -> {
                double[] other = actual.gradients.get(name);
                assertEquals(g.length, other.length, who + ": size of gradient " + name);
                assertTrue(
                        maxRelative(g, other) <= TOLERANCE,
                        who
                                + ": gradient "
                                + name
                                + " off by "
                                + maxRelative(g, other)
                                + " relative to its largest entry");
            });
        }
    }

    private static double[] values(INDArray x) {
        return Nd4j.toFlattened('c', x).toDoubleVector();
    }

    private static double[] values(NDArray x) {
        float[] f = x.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static double relative(double expected, double actual) {
        return Math.abs(expected - actual) / Math.max(Math.abs(expected), 1e-6);
    }

    /**
     * Largest deviation relative to the largest expected entry; an all-zero expectation (an unused
     * map) must be matched exactly.
     */
    private static double maxRelative(double[] expected, double[] actual) {
        double scale = Arrays.stream(expected).map(Math::abs).max().orElse(0);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        if (scale == 0) {
            return worst == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return worst / scale;
    }
}
