package dev.contrastive.bench.materialized;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import dev.contrastive.core.loss.AmdimComparison;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.CpcOptions;
import dev.contrastive.core.loss.InfoNceOptions;
import dev.contrastive.core.loss.SourceSampler;
import dev.contrastive.core.loss.YadimOptions;
import dev.contrastive.core.memory.NativeMemory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The four losses of docs/losses.md on ND4J the plain way: the whole score matrix (2B x 2B, B x B*L
 * or rows x B*H*W) is materialised, and the backward pass is written out by hand from it.
 *
 * <p>Every call runs in one ND4J workspace, as a DL4J training step would, so the score matrices of
 * consecutive calls reuse the same native memory instead of piling up until the garbage collector
 * finds their Java handles. The returned gradients are copied out of it. Gradient and part names
 * match the fused losses.
 */
public final class MaterializedLosses {

    /** F.normalize's floor on the row norm. */
    private static final double NORM_FLOOR = 1e-12;

    private static final String WORKSPACE_ID = "bench-materialized-loss";

    private MaterializedLosses() {}

    /** InfoNCE / NT-Xent on (B, D) views; gradients {@code a} and {@code b}; part {@code nce}. */
    public static MaterializedResult infoNce(INDArray a, INDArray b, InfoNceOptions options) {
        try (MemoryWorkspace ignored = workspace()) {
            int batch = Math.toIntExact(a.size(0));
            int n = 2 * batch;
            double invTemperature = 1.0 / options.temperature();
            INDArray z = Nd4j.concat(0, a, b);
            INDArray norms = null;
            if (options.normalize()) {
                norms = z.norm2(true, 1);
                Transforms.max(norms, NORM_FLOOR, false);
                z.diviColumnVector(norms);
            }
            INDArray scores = z.mmul(z.transpose()).muli(invTemperature);
            int[] positive = new int[n];
            int[] self = new int[n];
            for (int i = 0; i < n; i++) {
                positive[i] = (i + batch) % n;
                self[i] = i;
            }
            double loss = crossEntropyBackward(scores, positive, self);
            // S = Z Z^T / t, so dZ = (dS + dS^T) Z / t.
            INDArray dz = scores.mmul(z).addi(scores.transpose().mmul(z)).muli(invTemperature);
            if (norms != null) {
                normalizeBackward(z, dz, norms);
            }
            Map<String, INDArray> gradients = new LinkedHashMap<>();
            gradients.put("a", dz.get(interval(0, batch), all()).detach());
            gradients.put("b", dz.get(interval(batch, n), all()).detach());
            return new MaterializedResult(Map.of("nce", loss), gradients);
        }
    }

    /**
     * AMDIM multi-scale NCE; gradients {@code a_<map>} and {@code b_<map>} for every input map (zeros
     * for maps no comparison uses); parts named by comparison plus {@code reg}.
     */
    public static MaterializedResult amdim(
            Map<String, INDArray> viewA, Map<String, INDArray> viewB, AmdimOptions options, SourceSampler sampler) {
        try (MemoryWorkspace ignored = workspace()) {
            Map<String, INDArray> gradA = zerosLike(viewA);
            Map<String, INDArray> gradB = zerosLike(viewB);
            Map<String, Double> parts = amdimParts(
                    viewA, viewB, gradA, gradB, options.comparisons(), options.tclip(), options.regWeight(), sampler);
            Map<String, INDArray> gradients = new LinkedHashMap<>();
            gradA.forEach((name, g) -> gradients.put("a_" + name, g.detach()));
            gradB.forEach((name, g) -> gradients.put("b_" + name, g.detach()));
            return new MaterializedResult(parts, gradients);
        }
    }

    /** YADIM: AMDIM's scoring on the last maps only; gradients {@code a}, {@code b}. */
    public static MaterializedResult yadim(INDArray a, INDArray b, YadimOptions options, SourceSampler sampler) {
        try (MemoryWorkspace ignored = workspace()) {
            Map<String, INDArray> gradA = zerosLike(Map.of("last", a));
            Map<String, INDArray> gradB = zerosLike(Map.of("last", b));
            Map<String, Double> parts = amdimParts(
                    Map.of("last", a),
                    Map.of("last", b),
                    gradA,
                    gradB,
                    List.of(new AmdimComparison("last", "last")),
                    options.tclip(),
                    options.regWeight(),
                    sampler);
            Map<String, INDArray> gradients = new LinkedHashMap<>();
            gradients.put("a", gradA.get("last").detach());
            gradients.put("b", gradB.get("last").detach());
            return new MaterializedResult(parts, gradients);
        }
    }

    /**
     * CPC v2 InfoNCE; {@code predictions.get(s)} predicts offset {@code options.offset(s)}. Gradients
     * {@code targets} and {@code pred_k<k>}; parts {@code k<k>}.
     */
    public static MaterializedResult cpc(INDArray targets, List<INDArray> predictions, CpcOptions options) {
        if (predictions.size() != options.stepsToPredict()) {
            throw new IllegalArgumentException("predictions has "
                    + predictions.size()
                    + " heads, expected stepsToPredict = "
                    + options.stepsToPredict());
        }
        if (targets.rank() != 4) {
            throw new IllegalArgumentException(
                    "targets has shape " + Arrays.toString(targets.shape()) + ", expected (B, D, H, W)");
        }
        int batch = Math.toIntExact(targets.size(0));
        long dim = targets.size(1);
        int height = Math.toIntExact(targets.size(2));
        int width = Math.toIntExact(targets.size(3));
        int lastOffset = options.offset(options.stepsToPredict() - 1);
        if (height <= lastOffset) {
            throw new IllegalArgumentException("targets has shape "
                    + Arrays.toString(targets.shape())
                    + ", expected H > "
                    + lastOffset
                    + " (largest offset)");
        }
        double scale = options.embScale();
        try (MemoryWorkspace ignored = workspace()) {
            INDArray candidates = targets.permute(0, 2, 3, 1).dup('c').reshape((long) batch * height * width, dim);
            INDArray candidateGrad = Nd4j.zeros(candidates.dataType(), candidates.shape());
            Map<String, Double> parts = new LinkedHashMap<>();
            Map<String, INDArray> gradients = new LinkedHashMap<>();
            for (int s = 0; s < predictions.size(); s++) {
                int k = options.offset(s);
                int rowsHigh = height - k;
                INDArray prediction = predictions.get(s);
                INDArray rows = prediction
                        .get(all(), all(), interval(0, rowsHigh), all())
                        .permute(0, 2, 3, 1)
                        .dup('c')
                        .reshape((long) batch * rowsHigh * width, dim);
                int[] label = new int[batch * rowsHigh * width];
                int row = 0;
                for (int img = 0; img < batch; img++) {
                    for (int r = 0; r < rowsHigh; r++) {
                        for (int c = 0; c < width; c++) {
                            label[row++] = (img * height + r + k) * width + c;
                        }
                    }
                }
                INDArray scores = rows.mmul(candidates.transpose()).muli(scale);
                parts.put("k" + k, crossEntropyBackward(scores, label, null));
                INDArray rowGrad = scores.mmul(candidates).muli(scale);
                candidateGrad.addi(scores.transpose().mmul(rows).muli(scale));
                INDArray predictionGrad = Nd4j.zeros(prediction.dataType(), prediction.shape());
                predictionGrad
                        .get(all(), all(), interval(0, rowsHigh), all())
                        .assign(rowGrad.reshape(batch, rowsHigh, width, dim).permute(0, 3, 1, 2));
                gradients.put("pred_k" + k, predictionGrad.detach());
            }
            Map<String, INDArray> ordered = new LinkedHashMap<>();
            ordered.put(
                    "targets",
                    candidateGrad
                            .reshape(batch, height, width, dim)
                            .permute(0, 3, 1, 2)
                            .dup('c')
                            .detach());
            ordered.putAll(gradients);
            return new MaterializedResult(parts, ordered);
        }
    }

    private static MemoryWorkspace workspace() {
        return NativeMemory.scope(WORKSPACE_ID);
    }

    /**
     * Mean softmax cross-entropy of the rows of {@code scores}, each with its label column and an
     * optional column left out of the denominator. Overwrites {@code scores} with dL/dS.
     */
    private static double crossEntropyBackward(INDArray scores, int[] labels, int[] excluded) {
        int rows = labels.length;
        double[] positive = new double[rows];
        for (int i = 0; i < rows; i++) {
            positive[i] = scores.getDouble(i, labels[i]);
            if (excluded != null) {
                scores.putScalar(i, excluded[i], Double.NEGATIVE_INFINITY);
            }
        }
        INDArray max = scores.max(true, 1);
        scores.subiColumnVector(max);
        Transforms.exp(scores, false);
        INDArray sumExp = scores.sum(true, 1);
        double[] m = max.toDoubleVector();
        double[] sum = sumExp.toDoubleVector();
        double loss = 0;
        for (int i = 0; i < rows; i++) {
            loss += m[i] + Math.log(sum[i]) - positive[i];
        }
        scores.diviColumnVector(sumExp);
        for (int i = 0; i < rows; i++) {
            scores.putScalar(i, labels[i], scores.getDouble(i, labels[i]) - 1.0);
        }
        scores.divi(rows);
        return loss / rows;
    }

    /**
     * Maps dL/d(normalised rows) in {@code dz} to dL/d(raw rows), in place: {@code (dz - z (z . dz))
     * / norm}; rows whose norm hit the floor were only scaled.
     */
    private static void normalizeBackward(INDArray z, INDArray dz, INDArray norms) {
        INDArray dot = dz.mul(z).sum(true, 1);
        dot.muli(norms.gt(NORM_FLOOR).castTo(dz.dataType()));
        dz.subi(z.mulColumnVector(dot)).diviColumnVector(norms);
    }

    private static Map<String, INDArray> zerosLike(Map<String, INDArray> view) {
        Map<String, INDArray> zeros = new LinkedHashMap<>();
        view.forEach((name, x) -> zeros.put(name, Nd4j.zeros(x.dataType(), x.shape())));
        return zeros;
    }

    /**
     * Every comparison in both directions, each direction weighted 0.5; accumulates the gradients and
     * returns the parts (comparisons, then {@code reg}).
     */
    private static Map<String, Double> amdimParts(
            Map<String, INDArray> a,
            Map<String, INDArray> b,
            Map<String, INDArray> gradA,
            Map<String, INDArray> gradB,
            List<AmdimComparison> comparisons,
            double tclip,
            double regWeight,
            SourceSampler sampler) {
        Map<String, Double> parts = new LinkedHashMap<>();
        double reg = 0;
        for (AmdimComparison c : comparisons) {
            double[] ab = amdimDirection(
                    map(a, "a", c.source()),
                    map(b, "b", c.target()),
                    gradA.get(c.source()),
                    gradB.get(c.target()),
                    c.samplerKey(true),
                    tclip,
                    regWeight,
                    sampler);
            double[] ba = amdimDirection(
                    map(b, "b", c.source()),
                    map(a, "a", c.target()),
                    gradB.get(c.source()),
                    gradA.get(c.target()),
                    c.samplerKey(false),
                    tclip,
                    regWeight,
                    sampler);
            parts.put(c.name(), 0.5 * (ab[0] + ba[0]));
            reg += 0.5 * (ab[1] + ba[1]);
        }
        parts.put("reg", reg);
        return parts;
    }

    private static INDArray map(Map<String, INDArray> view, String viewName, String name) {
        INDArray x = view.get(name);
        if (x == null) {
            throw new IllegalArgumentException(
                    "view " + viewName + " has no map '" + name + "'; it has " + view.keySet());
        }
        return x;
    }

    /**
     * One direction x -> y of one comparison with weight 0.5, the whole (B, B, L) score tensor held.
     * Adds its gradients into {@code gradSrc} and {@code gradTrg}.
     *
     * @return {@code {L_dir, reg_dir}}
     */
    private static double[] amdimDirection(
            INDArray src,
            INDArray trg,
            INDArray gradSrc,
            INDArray gradTrg,
            String key,
            double tclip,
            double regWeight,
            SourceSampler sampler) {
        double weight = 0.5;
        int batch = Math.toIntExact(src.size(0));
        long dim = src.size(1);
        int srcLocations = Math.toIntExact(src.length() / (batch * dim));
        int locations = Math.toIntExact(trg.length() / (batch * dim));
        int[] loc = srcLocations == 1 ? new int[batch] : sampler.sample(key, batch, srcLocations);
        int[] rows = new int[batch];
        for (int i = 0; i < batch; i++) {
            rows[i] = i * srcLocations + loc[i];
        }
        INDArray sources = Nd4j.pullRows(
                src.reshape('c', batch, dim, srcLocations)
                        .permute(0, 2, 1)
                        .dup('c')
                        .reshape((long) batch * srcLocations, dim),
                1,
                rows);
        INDArray targets = trg.reshape('c', batch, dim, locations)
                .permute(0, 2, 1)
                .dup('c')
                .reshape((long) batch * locations, dim);
        double invSqrtDim = 1.0 / Math.sqrt(dim);
        INDArray raw = sources.mmul(targets.transpose()).muli(invSqrtDim);
        double rawNorm = raw.norm2Number().doubleValue();
        double reg = regWeight * rawNorm * rawNorm / raw.length();
        INDArray clipped = Transforms.tanh(raw.div(tclip), false).muli(tclip);

        INDArray posMask = Nd4j.zeros(raw.dataType(), batch, batch, 1);
        for (int i = 0; i < batch; i++) {
            posMask.putScalar(new long[] {i, i, 0}, 1.0);
        }
        INDArray negMask = posMask.rsub(1.0);
        INDArray positive =
                clipped.reshape(batch, batch, locations).mul(posMask).sum(1);
        INDArray shift = clipped.max(true, 1);
        INDArray exp = Transforms.exp(clipped.subColumnVector(shift), false).reshape(batch, batch, locations);
        INDArray negExp = exp.mul(negMask);
        INDArray negSumExp = negExp.sum(1, 2).reshape(batch, 1);
        INDArray posExp = exp.mul(posMask).sum(1);
        INDArray denominator = posExp.addColumnVector(negSumExp);
        double nce = (Transforms.log(denominator, true).sumNumber().doubleValue()
                        - positive.subColumnVector(shift).sumNumber().doubleValue())
                / ((double) batch * locations);

        // l_il = log(den_il) - c_iil: every negative (i, j, l') gets exp / den summed over the row's l,
        // the positive (i, i, l) gets exp / den_il - 1 and the image's other positives get nothing.
        INDArray invDen = denominator.rdiv(1.0);
        INDArray dClipped = negExp.reshape(batch, (long) batch * locations).muliColumnVector(invDen.sum(true, 1));
        INDArray posGrad = posExp.mul(invDen).subi(1.0).reshape(batch, 1, locations);
        dClipped.reshape(batch, batch, locations).addi(posMask.mul(posGrad));
        INDArray tanhSlope = clipped.div(tclip);
        tanhSlope.muli(tanhSlope).rsubi(1.0);
        INDArray dRaw = dClipped.muli(tanhSlope)
                .muli(weight / ((double) batch * locations))
                .addi(raw.mul(weight * 2 * regWeight / raw.length()));

        INDArray dSources = dRaw.mmul(targets).muli(invSqrtDim);
        INDArray dTargets = dRaw.transpose().mmul(sources).muli(invSqrtDim);
        gradTrg.reshape('c', batch, dim, locations)
                .addi(dTargets.reshape(batch, locations, dim).permute(0, 2, 1));
        INDArray gradSrcRows = gradSrc.reshape('c', batch, dim, srcLocations);
        for (int i = 0; i < batch; i++) {
            gradSrcRows.get(point(i), all(), point(loc[i])).addi(dSources.getRow(i));
        }
        return new double[] {nce, reg};
    }
}
