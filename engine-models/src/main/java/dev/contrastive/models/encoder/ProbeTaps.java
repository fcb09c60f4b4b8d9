package dev.contrastive.models.encoder;

import dev.contrastive.models.nn.OnnxGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which of the AMDIM encoder's taps the probes read. AMDIM's own evaluation trains its classifiers
 * on r1; its code also offers the 5x5 and 7x7 maps, which carry more spatial detail. The pooled
 * variant averages each map over its locations, so the probe's input stays 3 x n_rkhs wide.
 */
public enum ProbeTaps {
    /** r1 alone: (B, n_rkhs). */
    R1,
    /** r1, then r5 and r7 averaged over their locations: (B, 3 n_rkhs). */
    R1_POOLED_R5_R7;

    /** Whether the r5 and r7 heads must run for these features. */
    public boolean needsTapHeads() {
        return this == R1_POOLED_R5_R7;
    }

    /** Width of the features for an encoder of {@code config}. */
    public int dim(AmdimConfig config) {
        return this == R1 ? config.nRkhs() : 3 * config.nRkhs();
    }

    /** The features of one forward, (B, dim), in the caller's scope. */
    public INDArray features(AmdimFeatures f) {
        INDArray r1 = f.r1();
        long batch = r1.size(0);
        INDArray flat = r1.reshape(batch, r1.length() / batch);
        if (this == R1) {
            return flat;
        }
        return Nd4j.hstack(flat, f.r5().mean(2, 3), f.r7().mean(2, 3));
    }

    /** {@link #features} in an ONNX graph, on the taps an encoder's export named: (N, dim). */
    public String export(OnnxGraph g, AmdimEncoder.TapNames taps) {
        String flat = g.op("Flatten", taps.r1()).integer("axis", 1).output();
        if (this == R1) {
            return flat;
        }
        String r5 = g.op("ReduceMean", taps.r5())
                .ints("axes", 2, 3)
                .integer("keepdims", 0)
                .output();
        String r7 = g.op("ReduceMean", taps.r7())
                .ints("axes", 2, 3)
                .integer("keepdims", 0)
                .output();
        return g.op("Concat", flat, r5, r7).integer("axis", 1).output();
    }
}
