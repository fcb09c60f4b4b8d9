package dev.contrastive.models.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Patch vectors (B * g * g, D, 1, 1), image-major then row-major (the order of {@link Patches}), to
 * a (B, D, g, g) map, the layout the CPC context network and loss take. Backward inverts it.
 */
public final class ToGrid implements Module {

    private final Arena arena;
    private final int grid;

    public ToGrid(Arena arena, int grid) {
        if (grid < 1) {
            throw new IllegalArgumentException("toGrid.grid must be >= 1, got " + grid);
        }
        this.arena = arena;
        this.grid = grid;
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        long cells = (long) grid * grid;
        long b = x.size(0) / cells;
        long d = x.size(1);
        // Own the copy itself: the reshaped view cannot be closed.
        return arena.own(x.reshape(b, cells, d).permute(0, 2, 1).dup('c')).reshape(b, d, grid, grid);
    }

    @Override
    public INDArray backward(INDArray dy) {
        long b = dy.size(0);
        long d = dy.size(1);
        long cells = (long) grid * grid;
        return arena.own(dy.reshape(b, d, cells).permute(0, 2, 1).dup('c')).reshape(b * cells, d, 1, 1);
    }

    /**
     * (B g g, D, 1, 1) to (D, B g g, 1, 1) to (D, B, g, g) to (B, D, g, g): D stays symbolic, as
     * Reshape's 0 copies it, so the module needs no width.
     */
    @Override
    public String emit(OnnxGraph g, String input) {
        String channelsFirst = g.op("Transpose", input).ints("perm", 1, 0, 2, 3).output();
        String grids = g.op("Reshape", channelsFirst, g.ints(0, -1, grid, grid)).output();
        return g.op("Transpose", grids).ints("perm", 1, 0, 2, 3).output();
    }
}
