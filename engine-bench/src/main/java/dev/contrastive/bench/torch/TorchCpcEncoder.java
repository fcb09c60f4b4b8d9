package dev.contrastive.bench.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.contrastive.models.encoder.CpcConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * CPC v2 in PyTorch (through DJL), layer for layer as {@code models.encoder.CpcEncoder}, over a
 * {@link TorchParameters} copy of its parameters: patches (p x p, stride p/2, image-major then
 * row-major), a LayerNorm ResNet per patch (stem conv3x3-LN-ReLU; basic blocks
 * conv3x3(stride)-LN-ReLU-conv3x3-LN plus identity or 1x1-conv-LN shortcut, ReLU; global average
 * pool), the patch vectors as a (B, D, g, g) map, the PixelCNN context (5 residual blocks of 1x1,
 * ReLU, 1x3 same, top zero pad 1, 2x1 valid, ReLU, 1x1; final ReLU), and 1x1 heads z2target and
 * ctx2pred.s. LayerNorm is torch's GroupNorm(1, C).
 */
public final class TorchCpcEncoder {

    private final CpcConfig config;
    private final TorchParameters p;

    public TorchCpcEncoder(CpcConfig config, TorchParameters params) {
        this.config = config;
        this.p = params;
    }

    /** Targets and one prediction map per head, as {@code CpcFeatures.targets()/predictions()}. */
    public record Output(NDArray targets, List<NDArray> predictions) {}

    public Output forward(NDArray x) {
        long batch = x.getShape().get(0);
        int g = config.grid();
        int ps = config.patchSize();
        int st = config.patchStride();
        NDList cells = new NDList();
        for (int i = 0; i < g; i++) {
            for (int j = 0; j < g; j++) {
                cells.add(x.get(new NDIndex(":, :, {}:{}, {}:{}", i * st, i * st + ps, j * st, j * st + ps)));
            }
        }
        NDArray h = NDArrays.stack(cells, 1).reshape(batch * g * g, config.inChannels(), ps, ps);
        h = TorchOps.conv(h, p.get("encoder.stem.conv.weight"), null, 1, 1, 1);
        h = TorchOps.relu(TorchOps.groupNorm1(h, p, "encoder.stem.ln"));
        int in = config.width();
        for (int stage = 0; stage < 3; stage++) {
            int out = config.width() << stage;
            for (int b = 0; b < config.blocksPerStage(); b++) {
                int stride = stage > 0 && b == 0 ? 2 : 1;
                h = basicBlock("encoder.stage" + stage + ".block" + b, h, in, out, stride);
                in = out;
            }
        }
        long d = config.latentDim();
        Shape hs = h.getShape();
        // DJL's PyTorch mean takes one axis: average the flattened H * W.
        NDArray z = h.reshape(hs.get(0), hs.get(1), hs.get(2) * hs.get(3))
                .mean(new int[] {2})
                .reshape(batch, (long) g * g, d)
                .transpose(0, 2, 1)
                .reshape(batch, d, g, g);
        NDArray c = z;
        for (int b = 0; b < CpcConfig.CONTEXT_BLOCKS; b++) {
            String n = "context.block" + b;
            NDArray t = TorchOps.relu(conv(c, n + ".conv1", 0, 0));
            t = conv(t, n + ".conv2", 0, 1);
            t = t.getManager()
                    .zeros(new Shape(batch, t.getShape().get(1), 1, g), t.getDataType())
                    .concat(t, 2);
            t = TorchOps.relu(conv(t, n + ".conv3", 0, 0));
            c = c.add(conv(t, n + ".conv4", 0, 0));
        }
        c = TorchOps.relu(c);
        NDArray targets = conv(z, "z2target", 0, 0);
        List<NDArray> preds = new ArrayList<>();
        for (int s = 0; s < config.predictionSteps(); s++) {
            preds.add(conv(c, "ctx2pred." + s, 0, 0));
        }
        return new Output(targets, preds);
    }

    private NDArray conv(NDArray x, String n, int padH, int padW) {
        return TorchOps.conv(x, p.get(n + ".weight"), p.get(n + ".bias"), 1, padH, padW);
    }

    private NDArray basicBlock(String n, NDArray x, int in, int out, int stride) {
        NDArray h = TorchOps.conv(x, p.get(n + ".conv1.weight"), null, stride, 1, 1);
        h = TorchOps.relu(TorchOps.groupNorm1(h, p, n + ".ln1"));
        h = TorchOps.conv(h, p.get(n + ".conv2.weight"), null, 1, 1, 1);
        h = TorchOps.groupNorm1(h, p, n + ".ln2");
        NDArray shortcut = x;
        if (in != out || stride != 1) {
            shortcut = TorchOps.groupNorm1(
                    TorchOps.conv(x, p.get(n + ".shortcut.conv.weight"), null, stride, 0, 0), p, n + ".shortcut.ln");
        }
        return TorchOps.relu(h.add(shortcut));
    }
}
