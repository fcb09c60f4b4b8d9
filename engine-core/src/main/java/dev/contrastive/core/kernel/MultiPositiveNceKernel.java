package dev.contrastive.core.kernel;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import dev.contrastive.core.memory.NativeMemory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Fused, tiled AMDIM NCE for one directed comparison: every source vector against every target
 * location of every image, with several positives per row that share one set of negatives.
 *
 * <p>{@code raw[i, (j, l)] = scale * src_i . trg_(j, l)}, {@code c = tclip * tanh(raw / tclip)}.
 * Row i's positives are image i's L locations, each with its own log-softmax over itself plus every
 * location of every other image: {@code l_il = -c_iil + log(exp c_iil + sum_{j != i, l'} exp
 * c_ijl')}. The loss is {@code nceWeight * sum_il l_il}; the regulariser {@code regWeight * sum
 * raw^2} enters the gradient and its sum of squares is returned for the caller to weigh. The source
 * rows may be a contiguous range of the images (a shard): row r is then image {@code firstImage +
 * r}, scored against every target image.
 *
 * <p>Tiles are whole images wide. As in {@link SoftmaxCrossEntropyKernel}, a row strip spanning
 * every image runs its backward pass from the same buffers; narrower tiles stream with a running
 * max and sum-exp of the negatives per row and are recomputed in the backward pass. On the CUDA
 * backend the whole call goes to the device kernels when {@link DeviceDispatch} selects them.
 */
public final class MultiPositiveNceKernel {

    private MultiPositiveNceKernel() {}

    /**
     * Scores {@code problem} in tiles of whole images, at most {@code tiling.columns()} columns wide.
     *
     * @return NCE loss of the S source rows (regulariser excluded), their diagnostics, and their sum
     *     of raw^2
     */
    public static ScoreStats run(Problem problem, Tiling tiling) {
        DeviceKernels device = DeviceDispatch.forArrays(problem.src());
        if (device != null) {
            return device.multiPositiveNce(problem);
        }
        int sources = problem.src().rows();
        int images = problem.images();
        return TiledBlock.sum(
                sources,
                Math.min(tiling.rows(), sources),
                images,
                Math.min(images, Math.max(1, tiling.columns() / problem.locations())),
                (i0, i1) -> new Block(problem, i0, i1));
    }

    /**
     * One call's arguments, as {@link #run} and {@link DeviceKernels} take them. Checks that trg
     * holds whole images and that the source rows are among them.
     *
     * @param src source vectors of images firstImage .. firstImage + S - 1, (S, D), C order
     * @param trg target vectors of all B images, (B * L, D), image j's locations at rows j*L .. j*L +
     *     L - 1
     * @param locations L
     * @param firstImage the image of source row 0, whose positives are that image's locations; {@code
     *     firstImage + S <= B} (0 when every image is a source)
     * @param scale multiplies every dot product (1 / sqrt(D) in AMDIM)
     * @param tclip soft-clip bound
     * @param nceWeight weight of each l_il
     * @param regWeight weight of each raw^2 in the regulariser
     * @param dsrc receives dL/dsrc, (S, D); overwritten
     * @param dtrg dL/dtrg, (B * L, D), is added to it, so one accumulator serves several comparisons
     *     (and shards)
     */
    public record Problem(
            INDArray src,
            INDArray trg,
            int locations,
            int firstImage,
            double scale,
            double tclip,
            double nceWeight,
            double regWeight,
            INDArray dsrc,
            INDArray dtrg) {

        public Problem {
            long images = trg.rows() / locations;
            if (trg.rows() != images * locations) {
                throw new IllegalArgumentException(
                        "trg has " + trg.rows() + " rows, expected a multiple of locations = " + locations);
            }
            if (firstImage < 0 || firstImage + src.rows() > images) {
                throw new IllegalArgumentException("src rows are images ["
                        + firstImage
                        + ", "
                        + (firstImage + src.rows())
                        + "), expected images within the "
                        + images
                        + " target images of trg");
            }
        }

        /** Target images. */
        int images() {
            return trg.rows() / locations;
        }
    }

    /**
     * Buffers of one tile: raw scores, tanh(raw / tclip), and the clipped scores being transformed.
     */
    private record Tile(INDArray raw, INDArray tanh, INDArray work, int j0, int j1) {}

    /** Source rows [i0, i1) (images firstImage + i0 ...) and their statistics. */
    private static final class Block implements TiledBlock {
        private final Problem p;
        private final INDArray srcRows;
        private final INDArray dsrcRows;
        private final int i0;
        private final int t;

        /** Target images, every one scored. */
        private final int images;

        private final int locations;
        private final DataType type;
        private final RowBlock rows;
        private final double[][] positive;
        private double squaredRawSum;
        private double[] logSumExp;

        Block(Problem p, int i0, int i1) {
            this.p = p;
            this.srcRows = p.src.get(interval(i0, i1), all());
            this.dsrcRows = p.dsrc.get(interval(i0, i1), all());
            this.i0 = i0;
            this.t = i1 - i0;
            this.images = p.images();
            this.locations = p.locations;
            this.type = p.src.dataType();
            this.rows = new RowBlock(t);
            this.positive = new double[t][];
        }

        @Override
        public void singleStrip() {
            try (MemoryWorkspace ignored = Scratch.tile()) {
                INDArray raw = rawScores(0, images);
                if (NativeTiles.usable(raw)) {
                    nativeFold(raw, 0, images);
                    finishStatistics();
                    nativeScoreGradient(raw, 0, images, 0.0);
                } else {
                    Tile tile = clip(raw, 0, images);
                    fold(tile);
                    finishStatistics();
                    backward(tile, 0.0);
                }
            }
        }

        @Override
        public void streamed(int imageTile) {
            TiledBlock.forEachScoredTile(
                    images, imageTile, this::rawScores, this::nativeFold, (raw, j0, j1) -> fold(clip(raw, j0, j1)));
            finishStatistics();
            TiledBlock.forEachScoredTile(
                    images,
                    imageTile,
                    this::rawScores,
                    (raw, j0, j1) -> nativeScoreGradient(raw, j0, j1, TiledBlock.gradientBeta(j0)),
                    (raw, j0, j1) -> {
                        Tile tile = clip(raw, j0, j1);
                        tile.work.subiColumnVector(Scratch.column(rows.max, t, type));
                        Transforms.exp(tile.work, false);
                        backward(tile, TiledBlock.gradientBeta(j0));
                    });
        }

        private INDArray rawScores(int j0, int j1) {
            INDArray raw = NativeMemory.uninitialized(type, t, (long) (j1 - j0) * locations);
            Nd4j.gemm(srcRows, targetRows(p.trg, j0, j1), raw, false, true, p.scale, 0.0);
            return raw;
        }

        /** Column where row r's own image starts within images [j0, j1), -1 if outside. */
        private int[] positiveStarts(int j0, int j1) {
            int[] starts = new int[t];
            for (int r = 0; r < t; r++) {
                int image = p.firstImage + i0 + r;
                starts[r] = image >= j0 && image < j1 ? (image - j0) * locations : -1;
            }
            return starts;
        }

        private void nativeFold(INDArray raw, int j0, int j1) {
            long address = NativeLibrary.address(raw);
            int cols = (j1 - j0) * locations;
            int[] starts = positiveStarts(j0, j1);
            double[] positives = new double[t * locations];
            double[] squares = new double[t];
            NativeTiles.forRows(
                    t,
                    cols,
                    (b, e) -> NativeTiles.amdimFold(
                            address,
                            b,
                            e,
                            cols,
                            locations,
                            starts,
                            (float) p.tclip,
                            rows.max,
                            rows.sumExp,
                            rows.negativeMax,
                            rows.negativeSum,
                            positives,
                            squares));
            for (int r = 0; r < t; r++) {
                squaredRawSum += squares[r];
                if (starts[r] >= 0) {
                    positive[r] = java.util.Arrays.copyOfRange(positives, r * locations, (r + 1) * locations);
                }
            }
        }

        private void nativeScoreGradient(INDArray raw, int j0, int j1, double dsrcBeta) {
            long address = NativeLibrary.address(raw);
            int cols = (j1 - j0) * locations;
            int[] starts = positiveStarts(j0, j1);
            double[] negativeCoefficient = negativeCoefficients();
            double[] positiveGradient = new double[t * locations];
            for (int r = 0; r < t; r++) {
                if (starts[r] >= 0) {
                    System.arraycopy(positiveGradients(r), 0, positiveGradient, r * locations, locations);
                }
            }
            NativeTiles.forRows(
                    t,
                    cols,
                    (b, e) -> NativeTiles.amdimBackward(
                            address,
                            b,
                            e,
                            cols,
                            locations,
                            starts,
                            (float) p.tclip,
                            rows.max,
                            negativeCoefficient,
                            positiveGradient,
                            (float) (2.0 * p.regWeight)));
            applyScoreGradient(raw, j0, j1, dsrcBeta);
        }

        /**
         * Adds tanh(raw / tclip) and c = tclip * tanh(raw / tclip) to raw scores of images [j0, j1).
         */
        private Tile clip(INDArray raw, int j0, int j1) {
            INDArray tanh = raw.div(p.tclip);
            Transforms.tanh(tanh, false);
            INDArray work = tanh.mul(p.tclip);
            return new Tile(raw, tanh, work, j0, j1);
        }

        private INDArray targetRows(INDArray targets, int j0, int j1) {
            return targets.get(interval((long) j0 * locations, (long) j1 * locations), all());
        }

        /** Row r's positive block (its own image's L locations) if that image lies in the tile. */
        private INDArray positiveBlock(Tile tile, INDArray scores, int r) {
            int image = p.firstImage + i0 + r;
            if (image < tile.j0 || image >= tile.j1) {
                return null;
            }
            long start = (long) (image - tile.j0) * locations;
            return scores.get(point(r), interval(start, start + locations));
        }

        /**
         * Pass 1: records positives and diagnostics, masks the positives out, folds the negatives into
         * the running max and sum-exp. Leaves exp(c - running max) in the work buffer, 0 at the
         * positives.
         */
        private void fold(Tile tile) {
            double norm = tile.raw.norm2Number().doubleValue();
            squaredRawSum += norm * norm;
            double[] negativeSum = tile.work.sum(1).toDoubleVector();
            double[] positiveMax = new double[t];
            java.util.Arrays.fill(positiveMax, Double.NEGATIVE_INFINITY);
            for (int r = 0; r < t; r++) {
                INDArray block = positiveBlock(tile, tile.work, r);
                if (block != null) {
                    positive[r] = block.toDoubleVector();
                    for (double v : positive[r]) {
                        negativeSum[r] -= v;
                        positiveMax[r] = Math.max(positiveMax[r], v);
                    }
                    block.assign(Double.NEGATIVE_INFINITY);
                }
            }
            double[] tileMax = tile.work.max(1).toDoubleVector();
            for (int r = 0; r < t; r++) {
                rows.negativeSum[r] += negativeSum[r];
                rows.negativeMax[r] = Math.max(rows.negativeMax[r], tileMax[r]);
                tileMax[r] = Math.max(tileMax[r], positiveMax[r]);
            }
            tile.work.subiColumnVector(Scratch.column(rows.raiseMax(tileMax), t, type));
            Transforms.exp(tile.work, false);
            rows.addSumExp(tile.work.sum(1).toDoubleVector());
        }

        /** log(exp c_iil + sum of negatives' exp) for every positive, once all tiles are folded. */
        private void finishStatistics() {
            logSumExp = new double[t * locations];
            for (int r = 0; r < t; r++) {
                for (int l = 0; l < locations; l++) {
                    double shift = rows.max[r];
                    logSumExp[r * locations + l] = shift + Math.log(Math.exp(positive[r][l] - shift) + rows.sumExp[r]);
                }
            }
        }

        /**
         * Turns the work buffer, exp(c - running max) on the tile's images, into dL/draw and applies it
         * to dsrc and dtrg.
         */
        private void backward(Tile tile, double dsrcBeta) {
            tile.work.muliColumnVector(Scratch.column(negativeCoefficients(), t, type));
            for (int r = 0; r < t; r++) {
                INDArray block = positiveBlock(tile, tile.work, r);
                if (block != null) {
                    block.assign(Nd4j.create(positiveGradients(r), new long[] {1, locations}, type));
                }
            }
            // d tanh-clip / d raw = 1 - tanh^2; the regulariser adds 2 w raw.
            tile.tanh.muli(tile.tanh).rsubi(1.0);
            tile.work.muli(tile.tanh);
            tile.work.addi(tile.raw.muli(2.0 * p.regWeight));
            applyScoreGradient(tile.work, tile.j0, tile.j1, dsrcBeta);
        }

        /** d loss / d c for negatives of row r is exp(c - max_r) times this. */
        private double[] negativeCoefficients() {
            double[] coefficient = new double[t];
            for (int r = 0; r < t; r++) {
                double sum = 0;
                for (int l = 0; l < locations; l++) {
                    sum += Math.exp(rows.max[r] - logSumExp[r * locations + l]);
                }
                coefficient[r] = p.nceWeight * sum;
            }
            return coefficient;
        }

        /**
         * d loss / d c at row r's positives: softmax probability minus one, weighted, taken as minus
         * the negatives' share exp(log negSumExp - lse), since the difference cancels when the positive
         * dominates its row.
         */
        private double[] positiveGradients(int r) {
            double[] gradient = new double[locations];
            double negativeLogSumExp = rows.max[r] + Math.log(rows.sumExp[r]);
            for (int l = 0; l < locations; l++) {
                double lse = logSumExp[r * locations + l];
                gradient[l] = -p.nceWeight * Math.exp(negativeLogSumExp - lse);
            }
            return gradient;
        }

        /** dsrc_rows (+)= scale dRaw trg_tile and dtrg_tile += scale dRaw^T src_rows. */
        private void applyScoreGradient(INDArray dRaw, int j0, int j1, double dsrcBeta) {
            Nd4j.gemm(dRaw, targetRows(p.trg, j0, j1), dsrcRows, false, false, p.scale, dsrcBeta);
            Nd4j.gemm(dRaw, srcRows, targetRows(p.dtrg, j0, j1), true, false, p.scale, 1.0);
        }

        @Override
        public ScoreStats stats() {
            double loss = 0;
            double positiveSum = 0;
            double negativeSum = 0;
            long correct = 0;
            for (int r = 0; r < t; r++) {
                negativeSum += rows.negativeSum[r];
                for (int l = 0; l < locations; l++) {
                    loss += logSumExp[r * locations + l] - positive[r][l];
                    positiveSum += positive[r][l];
                    if (positive[r][l] > rows.negativeMax[r]) {
                        correct++;
                    }
                }
            }
            long positives = (long) t * locations;
            long negatives = (long) t * (images - 1) * locations;
            return new ScoreStats(
                    p.nceWeight * loss, positiveSum, positives, negativeSum, negatives, correct, squaredRawSum);
        }
    }
}
