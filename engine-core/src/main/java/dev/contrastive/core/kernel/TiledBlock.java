package dev.contrastive.core.kernel;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A block of rows of one fused kernel call ({@link SoftmaxCrossEntropyKernel}, {@link
 * MultiPositiveNceKernel}): scored as one strip when a column tile spans every column, else in
 * streamed column tiles; the loops over blocks and over column tiles are the kernels' common frame.
 */
interface TiledBlock {

    /** Scores every column at once and runs the backward pass from the same buffers. */
    void singleStrip();

    /** Streams column tiles of at most {@code columnTile}: statistics first, then the gradients. */
    void streamed(int columnTile);

    ScoreStats stats();

    /** Opens the block of rows [begin, end). */
    @FunctionalInterface
    interface Opener {
        TiledBlock open(int begin, int end);
    }

    /** Work on the column tile [begin, end). */
    @FunctionalInterface
    interface TileWork {
        void run(int begin, int end);
    }

    /** The block's scores for the column tile [begin, end). */
    @FunctionalInterface
    interface Scorer {
        INDArray score(int begin, int end);
    }

    /** Work on the scores of the column tile [begin, end). */
    @FunctionalInterface
    interface ScoredTileWork {
        void run(INDArray scores, int begin, int end);
    }

    /**
     * One streamed pass: each column tile of at most {@code columnTile} is scored in its own tile
     * workspace and goes to {@code nativePath} where {@link NativeTiles#usable} takes its scores, else
     * to {@code nd4jPath}.
     */
    static void forEachScoredTile(
            int columns, int columnTile, Scorer scorer, ScoredTileWork nativePath, ScoredTileWork nd4jPath) {
        forEachTile(columns, columnTile, (c0, c1) -> {
            INDArray scores = scorer.score(c0, c1);
            if (NativeTiles.usable(scores)) {
                nativePath.run(scores, c0, c1);
            } else {
                nd4jPath.run(scores, c0, c1);
            }
        });
    }

    /**
     * The {@code beta} of a streamed tile's gradient product into the block's rows: the first tile
     * (starting at column 0) overwrites them, the later ones add to them.
     */
    static double gradientBeta(int tileBegin) {
        return tileBegin == 0 ? 0.0 : 1.0;
    }

    /**
     * Rows [0, rows) in blocks of at most {@code rowTile}, each in its own row-block workspace,
     * summed.
     *
     * @param columns the columns in the kernel's unit (columns, or whole images)
     * @param columnTile columns per tile in that unit; at least {@code columns} means one strip
     */
    static ScoreStats sum(int rows, int rowTile, int columns, int columnTile, Opener blocks) {
        ScoreStats total = ScoreStats.EMPTY;
        for (int r0 = 0; r0 < rows; r0 += rowTile) {
            int r1 = Math.min(rows, r0 + rowTile);
            try (MemoryWorkspace ignored = Scratch.rowBlock()) {
                TiledBlock block = blocks.open(r0, r1);
                if (columnTile >= columns) {
                    block.singleStrip();
                } else {
                    block.streamed(columnTile);
                }
                total = total.plus(block.stats());
            }
        }
        return total;
    }

    /**
     * Runs {@code tile} on each column tile of at most {@code columnTile}, in its own tile workspace.
     */
    static void forEachTile(int columns, int columnTile, TileWork tile) {
        for (int c0 = 0; c0 < columns; c0 += columnTile) {
            try (MemoryWorkspace ignored = Scratch.tile()) {
                tile.run(c0, Math.min(columns, c0 + columnTile));
            }
        }
    }
}
