package dev.contrastive.models.encoder;

import dev.contrastive.models.nn.Parameters;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A second implementation of amdim-public's Encoder, written independently of AmdimEncoder from
 * model.py: a SameDiff graph whose gradients come from SameDiff's automatic differentiation, with
 * the weights copied by torch state_dict name from an AmdimEncoder's {@link Parameters}. Batch norm
 * is built from SameDiff mean/sub/mul ops (batch statistics), not SameDiff's batchNorm op, whose
 * backprop has open bug reports in M2.1.
 */
final class AmdimSameDiffReference extends SameDiffReference {

    private final AmdimConfig cfg;

    /** Spatial size of the variable the graph has reached (the build is linear but for the taps). */
    private long size;

    /**
     * @param input the batch, held as a variable rather than a placeholder: with a placeholder, M2.1
     *     SameDiff returned no input gradient for the 128 graph (its reflect pad built with the pad
     *     op, with strided slices, or with reshape and mmul alike), while it did for the 32 and 64
     *     graphs
     */
    AmdimSameDiffReference(AmdimConfig cfg, Parameters params, INDArray input) {
        super(params, input);
        this.cfg = cfg;
        int s = cfg.encoderSize();
        size = s;
        SDVariable x = input(input);
        int ndf = cfg.ndf();
        int d = cfg.nDepth();
        boolean bn = cfg.useBn();
        SDVariable h;
        SDVariable tap7;
        int top = cfg.topWidth();
        int i;
        if (s == 32) {
            h = sd.nn().relu(conv("layer_list.0.conv", x, 3, 1, 0, true), 0);
            h = resNxN("layer_list.1", h, ndf, ndf, 1, 1);
            h = resBlock("layer_list.2", h, ndf, ndf * 2, 4, 2, d);
            h = resBlock("layer_list.3", h, ndf * 2, ndf * 4, 2, 2, d);
            i = 4;
        } else if (s == 64) {
            h = sd.nn().relu(conv("layer_list.0.conv", x, 3, 1, 0, true), 0);
            h = resBlock("layer_list.1", h, ndf, ndf * 2, 4, 2, d);
            h = resBlock("layer_list.2", h, ndf * 2, ndf * 4, 4, 2, d);
            h = resBlock("layer_list.3", h, ndf * 4, ndf * 8, 2, 2, d);
            i = 4;
        } else {
            SDVariable padded = reflectPad(x, 2);
            size += 4;
            h = sd.nn().relu(conv("layer_list.0.conv", padded, 5, 2, 0, true), 0);
            h = sd.nn().relu(conv("layer_list.1.conv", h, 3, 1, 0, true), 0);
            h = resBlock("layer_list.2", h, ndf, ndf * 2, 4, 2, d);
            h = resBlock("layer_list.3", h, ndf * 2, ndf * 4, 4, 2, d);
            h = resBlock("layer_list.4", h, ndf * 4, ndf * 8, 2, 2, d);
            i = 5;
        }
        tap7 = bn ? batchNorm("layer_list." + i + ".bn", h) : h;
        SDVariable tap5 = resBlock("layer_list." + (i + 1), tap7, top, top, 3, 1, d);
        h = resBlock("layer_list." + (i + 2), tap5, top, top, 3, 1, d);
        h = resNxN("layer_list." + (i + 3), h, top, cfg.nRkhs(), 3, 1);
        SDVariable r1 = batchNorm("layer_list." + (i + 4) + ".bn", h);
        r1.rename("r1");
        fakeRkhs("rkhs_block_5", tap5).rename("r5");
        fakeRkhs("rkhs_block_7", tap7).rename("r7");
    }

    /** Adds loss = sum(w1 * r1) + sum(w5 * r5) + sum(w7 * r7) and returns its gradients. */
    Map<String, INDArray> gradients(INDArray w1, INDArray w5, INDArray w7) {
        SDVariable loss = sd.getVariable("r1")
                .mul(sd.constant(w1))
                .sum()
                .add(sd.getVariable("r5").mul(sd.constant(w5)).sum())
                .add(sd.getVariable("r7").mul(sd.constant(w7)).sum());
        return gradients(loss);
    }

    Map<String, INDArray> outputs() {
        return sd.output(Map.of(), "r1", "r5", "r7");
    }

    /** A square conv; advances {@link #size} to its output's. */
    private SDVariable conv(String name, SDVariable in, int k, int s, int p, boolean bias) {
        size = (size + 2L * p - k) / s + 1;
        return conv(name, in, k, k, s, p, p, bias);
    }

    /** Batch norm with batch statistics. */
    private SDVariable batchNorm(String name, SDVariable in) {
        return normalise(name, in, 0, 2, 3);
    }

    private SDVariable resNxN(String n, SDVariable x, int in, int out, int k, int s) {
        SDVariable h = conv(n + ".conv1", x, k, s, 0, false);
        if (cfg.useBn()) {
            h = batchNorm(n + ".bn1.bn", h);
        }
        h = conv(n + ".conv2", sd.nn().relu(h, 0), 1, 1, 0, false);
        SDVariable sc = x;
        if (k != 1 || s != 1) {
            sc = sd.cnn()
                    .avgPooling2d(
                            x,
                            Pooling2DConfig.builder()
                                    .kH(k)
                                    .kW(k)
                                    .sH(s)
                                    .sW(s)
                                    .pH(0)
                                    .pW(0)
                                    .dH(1)
                                    .dW(1)
                                    .paddingMode(PaddingMode.VALID)
                                    .isNHWC(false)
                                    .build());
        }
        if (out > in) {
            // conv1 above already advanced `size` to the output's spatial size.
            sc = sd.concat(1, sc, sd.constant(Nd4j.zeros(params.dataType(), batch, out - in, size, size)));
        }
        return h.add(sc);
    }

    /**
     * torch reflect padding as two products with 0/1 selection matrices (padded row i takes source
     * row r(i)), independent of ReflectPad's view assignments.
     */
    private SDVariable reflectPad(SDVariable x, int p) {
        int s = cfg.encoderSize();
        int n = s + 2 * p;
        INDArray sel = Nd4j.zeros(params.dataType(), s, n);
        for (int i = 0; i < n; i++) {
            int src = i - p < 0 ? p - i : (i - p >= s ? 2 * (s - 1) - (i - p) : i - p);
            sel.putScalar(src, i, 1.0);
        }
        long bc = batch * cfg.inChannels();
        SDVariable selection = sd.constant(sel);
        // Columns: (B*C*H, W) x (W, W+2p).
        SDVariable h = x.reshape(bc * s, s).mmul(selection);
        // Rows: bring H last, same product, put it back.
        h = h.reshape(bc, s, n).permute(0, 2, 1).reshape(bc * n, s).mmul(selection);
        return h.reshape(bc, n, n).permute(0, 2, 1).reshape(batch, cfg.inChannels(), n, n);
    }

    private SDVariable resBlock(String n, SDVariable x, int in, int out, int k, int s, int depth) {
        SDVariable h = resNxN(n + ".layer_list.0", x, in, out, k, s);
        for (int j = 1; j < depth; j++) {
            h = resNxN(n + ".layer_list." + j, h, out, out, 1, 1);
        }
        return h;
    }

    private SDVariable fakeRkhs(String n, SDVariable x) {
        SDVariable h = conv(n + ".conv1", x, 1, 1, 0, false);
        if (cfg.useBn()) {
            h = batchNorm(n + ".bn_hid.bn", h);
        }
        h = conv(n + ".conv2", sd.nn().relu(h, 0), 1, 1, 0, false);
        return batchNorm(n + ".bn_out.bn", h.add(conv(n + ".shortcut", x, 1, 1, 0, true)));
    }
}
