package dev.contrastive.bench.torch;

import ai.djl.ndarray.NDArray;
import dev.contrastive.models.encoder.AmdimConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * amdim-public's model.py {@code Encoder} in PyTorch (through DJL), layer for layer as {@code
 * models.encoder.AmdimEncoder} builds it, over a {@link TorchParameters} copy of that encoder's
 * parameters (same names): Conv3x3 (conv with bias, ReLU), ConvResNxN (conv1 no bias, optional
 * batch norm, ReLU, 1x1 conv2; shortcut avg_pool2d(k, s) and zero channel padding; no ReLU after
 * the sum), ConvResBlock (one strided ConvResNxN then n_depth - 1 1x1 ones), MaybeBatchNorm2d, and
 * the r1 / r5 / r7 taps (the last layers of spatial size 1, 5 and 7), r5 and r7 through
 * FakeRKHSConvNet (bn_out(conv2(relu(bn_hid(conv1 x))) + shortcut x), 1x1 convs). Autograd
 * differentiates it; nothing here is hand-written backward. Only the 32x32 encoder is built (the
 * benchmarked shapes).
 */
public final class TorchAmdimEncoder {

    /** One layer's forward: activation in, activation out. */
    @FunctionalInterface
    private interface Layer {
        NDArray forward(NDArray x, boolean training);
    }

    private final TorchParameters p;
    private final AmdimConfig config;
    private final List<Layer> layers = new ArrayList<>();
    private final int tap1;
    private final int tap5;
    private final int tap7;

    public TorchAmdimEncoder(AmdimConfig config, TorchParameters params) {
        if (config.encoderSize() != 32) {
            throw new IllegalArgumentException(
                    "torch amdim encoder: only encoderSize 32 is built, got " + config.encoderSize());
        }
        this.p = params;
        this.config = config;
        int ndf = config.ndf();
        int d = config.nDepth();
        int top = config.topWidth();
        // Spatial sizes after each layer at 32x32: 30, 30, 14, 7, 7, 5, 3, 1, 1.
        conv3x3();
        layers.add(resNxN(name(), ndf, 1, 1));
        resBlock(ndf * 2, 4, 2, d);
        resBlock(ndf * 4, 2, 2, d);
        maybeBn(config.useBn());
        resBlock(top, 3, 1, d);
        resBlock(top, 3, 1, d);
        layers.add(resNxN(name(), config.nRkhs(), 3, 1));
        maybeBn(true);
        tap7 = 4;
        tap5 = 5;
        tap1 = 8;
    }

    private String name() {
        return "layer_list." + layers.size();
    }

    private void conv3x3() {
        String n = name() + ".conv";
        layers.add((x, t) -> TorchOps.relu(TorchOps.conv(x, p.get(n + ".weight"), p.get(n + ".bias"), 1, 0, 0)));
    }

    private void maybeBn(boolean on) {
        String n = name() + ".bn";
        layers.add(on ? (x, t) -> TorchOps.batchNorm(x, p, n, t) : (x, t) -> x);
    }

    private void resBlock(int out, int k, int s, int depth) {
        String n = name() + ".layer_list.";
        List<Layer> list = new ArrayList<>();
        list.add(resNxN(n + 0, out, k, s));
        for (int i = 1; i < depth; i++) {
            list.add(resNxN(n + i, out, 1, 1));
        }
        layers.add((x, t) -> {
            NDArray h = x;
            for (Layer l : list) {
                h = l.forward(h, t);
            }
            return h;
        });
    }

    /**
     * ConvResNxN: conv1 (k, s) -> [bn1] -> ReLU -> conv2 1x1, plus avg_pool2d(k, s) padded to out.
     */
    private Layer resNxN(String n, long out, int k, int s) {
        boolean bn = config.useBn();
        return (x, t) -> {
            NDArray h = TorchOps.conv(x, p.get(n + ".conv1.weight"), null, s, 0, 0);
            if (bn) {
                h = TorchOps.batchNorm(h, p, n + ".bn1.bn", t);
            }
            h = TorchOps.conv(TorchOps.relu(h), p.get(n + ".conv2.weight"), null, 1, 0, 0);
            NDArray shortcut = k != 1 || s != 1 ? TorchOps.avgPool(x, k, s) : x;
            if (out > x.getShape().get(1)) {
                shortcut = TorchOps.padChannels(shortcut, out);
            }
            return h.add(shortcut);
        };
    }

    /** FakeRKHSConvNet: bn_out(conv2(relu([bn_hid] conv1(x))) + shortcut(x)). */
    private NDArray fakeRkhs(String n, NDArray x, boolean training) {
        NDArray h = TorchOps.conv(x, p.get(n + ".conv1.weight"), null, 1, 0, 0);
        if (config.useBn()) {
            h = TorchOps.batchNorm(h, p, n + ".bn_hid.bn", training);
        }
        h = TorchOps.conv(TorchOps.relu(h), p.get(n + ".conv2.weight"), null, 1, 0, 0);
        NDArray shortcut = TorchOps.conv(x, p.get(n + ".shortcut.weight"), p.get(n + ".shortcut.bias"), 1, 0, 0);
        return TorchOps.batchNorm(h.add(shortcut), p, n + ".bn_out.bn", training);
    }

    /** r1, r5 and r7 of {@code x} (B, C, 32, 32), named as {@code AmdimFeatures.asMap()}. */
    public Map<String, NDArray> forward(NDArray x, boolean training) {
        return forward(x, training, true);
    }

    /**
     * {@link #forward(NDArray, boolean)}; without {@code tapHeads} the r5 and r7 heads are not run
     * and their parameters not read, so this also serves an encoder declared without them ({@code
     * AmdimEncoder.declare(..., tapHeads=false)}, SimCLR's trunk): the map then holds r1 alone.
     */
    public Map<String, NDArray> forward(NDArray x, boolean training, boolean tapHeads) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        NDArray h = x;
        for (int i = 0; i < layers.size(); i++) {
            h = layers.get(i).forward(h, training);
            if (i == tap7 && tapHeads) {
                out.put("r7", fakeRkhs("rkhs_block_7", h, training));
            }
            if (i == tap5 && tapHeads) {
                out.put("r5", fakeRkhs("rkhs_block_5", h, training));
            }
            if (i == tap1) {
                out.put("r1", h);
            }
        }
        Map<String, NDArray> ordered = new LinkedHashMap<>();
        ordered.put("r1", out.get("r1"));
        if (tapHeads) {
            ordered.put("r5", out.get("r5"));
            ordered.put("r7", out.get("r7"));
        }
        return ordered;
    }
}
