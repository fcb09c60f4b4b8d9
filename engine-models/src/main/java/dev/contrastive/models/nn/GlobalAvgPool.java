package dev.contrastive.models.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.factory.Nd4j;

/** Mean over H and W: (B, C, H, W) to (B, C, 1, 1). Backward spreads dy / (H * W) evenly. */
public final class GlobalAvgPool implements Module {

    private final Arena arena;
    private long[] inShape;

    public GlobalAvgPool(Arena arena) {
        this.arena = arena;
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        inShape = x.shape();
        return arena.own(x.mean(2, 3)).reshape(x.size(0), x.size(1), 1, 1);
    }

    @Override
    public INDArray backward(INDArray dy) {
        INDArray perCell = dy.reshape(inShape[0], inShape[1]).div(inShape[2] * inShape[3]);
        INDArray zeros = Nd4j.zeros(dy.dataType(), inShape);
        INDArray dx = Nd4j.getExecutioner().exec(new BroadcastAddOp(zeros, perCell, zeros.ulike(), 0, 1));
        zeros.close();
        perCell.close();
        return arena.own(dx);
    }

    @Override
    public String emit(OnnxGraph g, String input) {
        return g.op("GlobalAveragePool", input).output();
    }
}
