package dev.contrastive.core.loss;

/**
 * Tile shape of the fused kernels: how many score rows and columns are held at once.
 *
 * <p>Scratch memory is a few {@code rows x columns} float buffers, independent of the batch size. When
 * {@code columns} covers every column of a row block the kernel keeps that strip and runs the backward
 * pass from it; otherwise it streams column tiles with a running max and sum-exp per row and recomputes
 * each tile in the backward pass.
 *
 * @param rows score rows per tile, at least 1
 * @param columns score columns per tile, at least 1
 */
public record Tiling(int rows, int columns) {

  /** Chosen by the engine-bench tile sweep (see README, "Benchmarks"). */
  public static final Tiling DEFAULT = new Tiling(256, 8192);

  public Tiling {
    if (rows < 1) {
      throw new IllegalArgumentException("tiling.rows must be >= 1, got " + rows);
    }
    if (columns < 1) {
      throw new IllegalArgumentException("tiling.columns must be >= 1, got " + columns);
    }
  }

  /** Number of scratch floats one tile needs. */
  public long tileElements() {
    return (long) rows * columns;
  }
}
