package dev.contrastive.models.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Appends zero channels: (B, in, H, W) to (B, out, H, W), like amdim's {@code F.pad(h, (0, 0, 0, 0,
 * 0, n_out - n_in))} on a residual shortcut. Backward keeps the gradient of the first {@code in}
 * channels.
 */
public final class ChannelPad implements Module {

    private final Arena arena;
    private final int in;
    private final int out;

    public ChannelPad(Arena arena, int in, int out) {
        if (in < 1 || out < in) {
            throw new IllegalArgumentException("channelPad needs 1 <= in <= out, got in " + in + ", out " + out);
        }
        this.arena = arena;
        this.in = in;
        this.out = out;
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        INDArray y = arena.own(Nd4j.zeros(x.dataType(), x.size(0), out, x.size(2), x.size(3)));
        y.get(NDArrayIndex.all(), NDArrayIndex.interval(0, in), NDArrayIndex.all(), NDArrayIndex.all())
                .assign(x);
        return y;
    }

    @Override
    public INDArray backward(INDArray dy) {
        return arena.own(
                dy.get(NDArrayIndex.all(), NDArrayIndex.interval(0, in), NDArrayIndex.all(), NDArrayIndex.all())
                        .dup('c'));
    }

    @Override
    public String emit(OnnxGraph g, String input) {
        return g.op("Pad", input, g.ints(0, 0, 0, 0, 0, out - in, 0, 0)).output();
    }
}
