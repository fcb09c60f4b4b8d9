package dev.contrastive.bench.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.contrastive.core.loss.AmdimComparison;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.CpcOptions;
import dev.contrastive.core.loss.InfoNceOptions;
import dev.contrastive.core.loss.SourceSampler;
import dev.contrastive.core.loss.YadimOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The four losses of docs/losses.md in PyTorch (through DJL), written as a PyTorch user would: the
 * whole score matrix is materialised, the softmax denominators come from {@code log_softmax} or a
 * max-shifted log-sum-exp, and masks select positives and negatives. Autograd computes the
 * gradients.
 *
 * <p>Inputs must be float PyTorch arrays. They are not modified: each call takes a detached view of
 * every input as a fresh autograd leaf (no copy), so gradients never accumulate across calls, and
 * every intermediate lives in a sub-manager that is closed before the call returns. Gradient and
 * part names match the fused losses.
 */
public final class TorchLosses {

    /** SimCLR's LARGE_NUM, subtracted from each row's own score. */
    private static final double SELF_MASK = 1e9;

    private TorchLosses() {}

    /** InfoNCE / NT-Xent on (B, D) views; gradients {@code a} and {@code b}; part {@code nce}. */
    public static TorchResult infoNce(NDArray a, NDArray b, InfoNceOptions options) {
        Map<String, NDArray> inputs = new LinkedHashMap<>();
        inputs.put("a", a);
        inputs.put("b", b);
        return run(inputs, (leaves, scope) -> infoNceGraph(leaves.get("a"), leaves.get("b"), options, scope));
    }

    /**
     * The InfoNCE / NT-Xent graph on (B, D) arrays that may carry autograd history (a projection
     * head's outputs inside the caller's {@code GradientCollector}): part {@code nce} as in {@link
     * #infoNce}, over the 2B rows of both views, L2-normalised when the options say so, scores
     * divided by the temperature, each row's positive the other view of its image and its own score
     * masked out. Intermediates are attached to {@code scope}.
     */
    public static Map<String, NDArray> infoNceGraph(NDArray a, NDArray b, InfoNceOptions options, NDManager scope) {
        int batch = Math.toIntExact(a.getShape().get(0));
        int n = 2 * batch;
        NDArray z = a.concat(b, 0);
        if (options.normalize()) {
            z = z.normalize(2, 1, 1e-12);
        }
        NDArray scores = z.matMul(z.transpose()).div(options.temperature());
        // SimCLR's own masking: a score minus 1e9 contributes exp(-1e9) = 0 to its row.
        NDArray self = scope.eye(n).toType(scores.getDataType(), false);
        scores = scores.sub(self.mul(SELF_MASK));
        long[] positive = new long[n];
        for (int i = 0; i < n; i++) {
            positive[i] = (i + batch) % n;
        }
        NDArray labels = scope.create(positive, new Shape(n, 1));
        return Map.of("nce", scores.logSoftmax(1).gather(labels, 1).mean().neg());
    }

    /**
     * AMDIM multi-scale NCE; gradients {@code a_<map>} and {@code b_<map>} for every input map (zeros
     * for maps no comparison uses); parts named by comparison plus {@code reg}.
     */
    public static TorchResult amdim(
            Map<String, NDArray> viewA, Map<String, NDArray> viewB, AmdimOptions options, SourceSampler sampler) {
        Map<String, NDArray> inputs = new LinkedHashMap<>();
        viewA.forEach((name, map) -> inputs.put("a_" + name, map));
        viewB.forEach((name, map) -> inputs.put("b_" + name, map));
        return run(inputs, (leaves, scope) -> {
            Map<String, NDArray> a = new LinkedHashMap<>();
            Map<String, NDArray> b = new LinkedHashMap<>();
            viewA.keySet().forEach(name -> a.put(name, leaves.get("a_" + name)));
            viewB.keySet().forEach(name -> b.put(name, leaves.get("b_" + name)));
            return amdimGraph(a, b, options, sampler, scope);
        });
    }

    /**
     * The AMDIM loss graph on arrays that may carry autograd history (an encoder's outputs inside the
     * caller's {@code GradientCollector}): named scalar parts whose sum is the loss, as in {@link
     * #amdim}. Intermediates are attached to {@code scope}.
     */
    public static Map<String, NDArray> amdimGraph(
            Map<String, NDArray> viewA,
            Map<String, NDArray> viewB,
            AmdimOptions options,
            SourceSampler sampler,
            NDManager scope) {
        return amdimParts(viewA, viewB, options.comparisons(), options.tclip(), options.regWeight(), sampler, scope);
    }

    /** YADIM: AMDIM's scoring on the last maps only; gradients {@code a}, {@code b}. */
    public static TorchResult yadim(NDArray a, NDArray b, YadimOptions options, SourceSampler sampler) {
        Map<String, NDArray> inputs = new LinkedHashMap<>();
        inputs.put("a", a);
        inputs.put("b", b);
        return run(
                inputs,
                (leaves, scope) -> amdimParts(
                        Map.of("last", leaves.get("a")),
                        Map.of("last", leaves.get("b")),
                        List.of(new AmdimComparison("last", "last")),
                        options.tclip(),
                        options.regWeight(),
                        sampler,
                        scope));
    }

    /**
     * CPC v2 InfoNCE; {@code predictions.get(s)} predicts offset {@code options.offset(s)}. Gradients
     * {@code targets} and {@code pred_k<k>}; parts {@code k<k>}.
     */
    public static TorchResult cpc(NDArray targets, List<NDArray> predictions, CpcOptions options) {
        if (predictions.size() != options.stepsToPredict()) {
            throw new IllegalArgumentException("predictions has "
                    + predictions.size()
                    + " heads, expected stepsToPredict = "
                    + options.stepsToPredict());
        }
        Shape shape = targets.getShape();
        if (shape.dimension() != 4) {
            throw new IllegalArgumentException("targets has shape " + shape + ", expected (B, D, H, W)");
        }
        long height = shape.get(2);
        int lastOffset = options.offset(options.stepsToPredict() - 1);
        if (height <= lastOffset) {
            throw new IllegalArgumentException(
                    "targets has shape " + shape + ", expected H > " + lastOffset + " (largest offset)");
        }
        Map<String, NDArray> inputs = new LinkedHashMap<>();
        inputs.put("targets", targets);
        for (int s = 0; s < predictions.size(); s++) {
            inputs.put("pred_k" + options.offset(s), predictions.get(s));
        }
        return run(inputs, (leaves, scope) -> {
            List<NDArray> preds = new ArrayList<>();
            for (int s = 0; s < predictions.size(); s++) {
                preds.add(leaves.get("pred_k" + options.offset(s)));
            }
            return cpcGraph(leaves.get("targets"), preds, options, scope);
        });
    }

    /**
     * The CPC v2 loss graph on arrays that may carry autograd history: parts {@code k<k>} as in
     * {@link #cpc}, shapes already validated by the caller.
     */
    public static Map<String, NDArray> cpcGraph(
            NDArray targets, List<NDArray> predictions, CpcOptions options, NDManager scope) {
        Shape shape = targets.getShape();
        long batch = shape.get(0);
        long dim = shape.get(1);
        long height = shape.get(2);
        long width = shape.get(3);
        NDArray candidates = targets.transpose(0, 2, 3, 1).reshape(batch * height * width, dim);
        Map<String, NDArray> parts = new LinkedHashMap<>();
        for (int s = 0; s < predictions.size(); s++) {
            int k = options.offset(s);
            long rowsHigh = height - k;
            NDArray rows = predictions
                    .get(s)
                    .get(new NDIndex(":, :, :{}, :", rowsHigh))
                    .transpose(0, 2, 3, 1)
                    .reshape(batch * rowsHigh * width, dim);
            long[] label = new long[Math.toIntExact(batch * rowsHigh * width)];
            int row = 0;
            for (long img = 0; img < batch; img++) {
                for (long r = 0; r < rowsHigh; r++) {
                    for (long c = 0; c < width; c++) {
                        label[row++] = (img * height + r + k) * width + c;
                    }
                }
            }
            NDArray scores = rows.matMul(candidates.transpose()).mul(options.embScale());
            NDArray labels = scope.create(label, new Shape(label.length, 1));
            parts.put("k" + k, scores.logSoftmax(1).gather(labels, 1).mean().neg());
        }
        return parts;
    }

    /**
     * Parts of AMDIM's loss: {@code 0.5 (L_ab + L_ba)} per comparison, then the summed regulariser.
     */
    private static Map<String, NDArray> amdimParts(
            Map<String, NDArray> a,
            Map<String, NDArray> b,
            List<AmdimComparison> comparisons,
            double tclip,
            double regWeight,
            SourceSampler sampler,
            NDManager scope) {
        Map<String, NDArray> parts = new LinkedHashMap<>();
        NDArray reg = null;
        for (AmdimComparison c : comparisons) {
            NDArray[] ab = amdimDirection(
                    map(a, "a", c.source()),
                    map(b, "b", c.target()),
                    c.samplerKey(true),
                    tclip,
                    regWeight,
                    sampler,
                    scope);
            NDArray[] ba = amdimDirection(
                    map(b, "b", c.source()),
                    map(a, "a", c.target()),
                    c.samplerKey(false),
                    tclip,
                    regWeight,
                    sampler,
                    scope);
            parts.put(c.name(), ab[0].add(ba[0]).mul(0.5));
            NDArray r = ab[1].add(ba[1]).mul(0.5);
            reg = reg == null ? r : reg.add(r);
        }
        parts.put("reg", reg);
        return parts;
    }

    private static NDArray map(Map<String, NDArray> view, String viewName, String name) {
        NDArray x = view.get(name);
        if (x == null) {
            throw new IllegalArgumentException(
                    "view " + viewName + " has no map '" + name + "'; it has " + view.keySet());
        }
        return x;
    }

    /**
     * One direction x -> y of one comparison, as amdim-public's {@code loss_xent}: raw scores of
     * every source against every target location, soft-clipped, positives picked by a (B, B, 1) mask.
     *
     * @return {@code {L_dir, reg_dir}}
     */
    private static NDArray[] amdimDirection(
            NDArray src,
            NDArray trg,
            String key,
            double tclip,
            double regWeight,
            SourceSampler sampler,
            NDManager scope) {
        long batch = src.getShape().get(0);
        long dim = src.getShape().get(1);
        long srcLocations = src.size() / (batch * dim);
        NDArray sources;
        if (srcLocations == 1) {
            sources = src.reshape(batch, dim);
        } else {
            int[] loc = sampler.sample(key, Math.toIntExact(batch), Math.toIntExact(srcLocations));
            long[] rows = new long[loc.length];
            for (int i = 0; i < loc.length; i++) {
                rows[i] = i * srcLocations + loc[i];
            }
            sources = src.reshape(batch, dim, srcLocations)
                    .transpose(0, 2, 1)
                    .reshape(batch * srcLocations, dim)
                    .get(scope.create(rows));
        }
        long locations = trg.size() / (batch * dim);
        NDArray targets = trg.reshape(batch, dim, locations).transpose(0, 2, 1).reshape(batch * locations, dim);
        NDArray raw = sources.matMul(targets.transpose()).div(Math.sqrt(dim)).reshape(batch, batch, locations);
        NDArray reg = raw.square().mean().mul(regWeight);
        NDArray clipped = raw.div(tclip).tanh().mul(tclip);
        NDArray posMask = scope.eye(Math.toIntExact(batch))
                .toType(raw.getDataType(), false)
                .reshape(batch, batch, 1);
        NDArray negMask = posMask.neg().add(1);
        NDArray positive = clipped.mul(posMask).sum(new int[] {1});
        NDArray shift = clipped.reshape(batch, batch * locations)
                .max(new int[] {1}, true)
                .stopGradient();
        NDArray negSumExp = clipped.sub(shift.reshape(batch, 1, 1))
                .exp()
                .mul(negMask)
                .sum(new int[] {1, 2}, true)
                .reshape(batch, 1);
        NDArray shiftedPositive = positive.sub(shift);
        NDArray nce =
                shiftedPositive.exp().add(negSumExp).log().sub(shiftedPositive).mean();
        return new NDArray[] {nce, reg};
    }

    /** The forward graph of one loss: named scalar parts computed from autograd leaves. */
    @FunctionalInterface
    private interface Graph {
        Map<String, NDArray> parts(Map<String, NDArray> leaves, NDManager scope);
    }

    /**
     * Runs {@code graph} on fresh leaves of {@code inputs}, back-propagates the sum of its parts and
     * returns the values and the gradients, which are moved to the result's own manager.
     */
    private static TorchResult run(Map<String, NDArray> inputs, Graph graph) {
        NDManager owner = inputs.values().iterator().next().getManager().newSubManager();
        try {
            try (NDManager scope = owner.newSubManager()) {
                Set<NDArray> attached = Collections.newSetFromMap(new IdentityHashMap<>());
                Map<String, NDArray> leaves = new LinkedHashMap<>();
                for (Map.Entry<String, NDArray> input : inputs.entrySet()) {
                    NDArray x = input.getValue();
                    // Derived arrays land in their source's manager: borrow the input into the scope so the
                    // leaf and everything computed from it are closed with the scope.
                    if (attached.add(x)) {
                        x.tempAttach(scope);
                    }
                    NDArray leaf = x.stopGradient();
                    leaf.setRequiresGradient(true);
                    leaves.put(input.getKey(), leaf);
                }
                Map<String, NDArray> parts;
                NDArray total = null;
                try (GradientCollector collector = TorchRuntime.engine().newGradientCollector()) {
                    parts = graph.parts(leaves, scope);
                    for (NDArray part : parts.values()) {
                        total = total == null ? part : total.add(part);
                    }
                    collector.backward(total);
                }
                Map<String, Double> values = new LinkedHashMap<>();
                parts.forEach((name, part) -> values.put(name, scalar(part)));
                Map<String, NDArray> gradients = new LinkedHashMap<>();
                leaves.forEach((name, leaf) -> {
                    NDArray g = leaf.getGradient();
                    g.attach(owner);
                    gradients.put(name, g);
                });
                return new TorchResult(scalar(total), values, gradients, owner);
            }
        } catch (RuntimeException e) {
            owner.close();
            throw e;
        }
    }

    private static double scalar(NDArray x) {
        return x.toType(DataType.FLOAT64, false).getDouble();
    }
}
