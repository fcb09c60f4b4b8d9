package dev.contrastive.models.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code branch(x) + shortcut(x)}; backward sums the two paths' input gradients. */
public final class Residual implements Module {

    private final Arena arena;
    private final Module branch;
    private final Module shortcut;

    public Residual(Arena arena, Module branch, Module shortcut) {
        this.arena = arena;
        this.branch = branch;
        this.shortcut = shortcut;
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        INDArray b = branch.forward(x, training);
        INDArray s = shortcut.forward(x, training);
        return arena.own(b.add(s));
    }

    @Override
    public INDArray backward(INDArray dy) {
        INDArray db = branch.backward(dy);
        INDArray ds = shortcut.backward(dy);
        return arena.own(db.add(ds));
    }

    @Override
    public String emit(OnnxGraph g, String input) {
        return g.op("Add", branch.emit(g, input), shortcut.emit(g, input)).output();
    }
}
