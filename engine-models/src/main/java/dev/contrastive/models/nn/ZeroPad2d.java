package dev.contrastive.models.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Zero padding by (top, bottom, left, right); CPC's context network pads one row on top so that its
 * 2x1 convolution sees only the row itself and the row above. Backward crops.
 */
public final class ZeroPad2d implements Module {

    private final Arena arena;
    private final int top;
    private final int bottom;
    private final int left;
    private final int right;
    private long[] inShape;

    public ZeroPad2d(Arena arena, int top, int bottom, int left, int right) {
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new IllegalArgumentException(
                    "zeroPad2d paddings must be >= 0, got " + top + ", " + bottom + ", " + left + ", " + right);
        }
        this.arena = arena;
        this.top = top;
        this.bottom = bottom;
        this.left = left;
        this.right = right;
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        inShape = x.shape();
        INDArray y = arena.own(
                Nd4j.zeros(x.dataType(), x.size(0), x.size(1), x.size(2) + top + bottom, x.size(3) + left + right));
        interior(y).assign(x);
        return y;
    }

    @Override
    public INDArray backward(INDArray dy) {
        return arena.own(interior(dy).dup('c'));
    }

    @Override
    public String emit(OnnxGraph g, String input) {
        // Pad's pads are every axis's begin, then every axis's end.
        return g.op("Pad", input, g.ints(0, 0, top, left, 0, 0, bottom, right)).output();
    }

    private INDArray interior(INDArray padded) {
        return padded.get(
                NDArrayIndex.all(),
                NDArrayIndex.all(),
                NDArrayIndex.interval(top, top + inShape[2]),
                NDArrayIndex.interval(left, left + inShape[3]));
    }
}
