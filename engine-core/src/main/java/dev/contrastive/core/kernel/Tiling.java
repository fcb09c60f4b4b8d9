package dev.contrastive.core.kernel;

/**
 * Tile shape of the fused kernels: how many score rows and columns are held at once.
 *
 * <p>Scratch memory is a few {@code rows x columns} float buffers, independent of the batch size.
 * When {@code columns} covers every column of a row block the kernel keeps that strip and runs the
 * backward pass from it; otherwise it streams column tiles with a running max and sum-exp per row
 * and recomputes each tile in the backward pass.
 *
 * @param rows score rows per tile, at least 1
 * @param columns score columns per tile, at least 1
 */
public record Tiling(int rows, int columns) {

    /**
     * Chosen by the engine-bench tile sweep ({@code scripts/bench-loss.sh --tiles}): column tiles
     * that span the whole row (one strip, no recomputation) were fastest for InfoNCE at B = 4096 and
     * for the AMDIM kernel, and 256 rows keep a strip at 64 MiB for up to 65536 columns (InfoNCE B =
     * 32768, AMDIM B = 1024 x 49 locations). Wider problems stream column tiles.
     */
    public static final Tiling DEFAULT = new Tiling(256, 65536);

    public Tiling {
        if (rows < 1) {
            throw new IllegalArgumentException("tiling.rows must be >= 1, got " + rows);
        }
        if (columns < 1) {
            throw new IllegalArgumentException("tiling.columns must be >= 1, got " + columns);
        }
    }
}
