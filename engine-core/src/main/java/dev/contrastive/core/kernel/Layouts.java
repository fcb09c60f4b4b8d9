package dev.contrastive.core.kernel;

import dev.contrastive.core.memory.NativeMemory;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * Between the encoders' NCHW feature maps and the kernels' layout, one row per (image, location).
 *
 * <p>ND4J's copy of a permuted array computes every element's offset and took ~10 ms for a (128,
 * 512, 5, 5) map, several times the loss's own gemms; float32 maps on the CPU take the native
 * blocked transpose instead.
 */
public final class Layouts {

    private Layouts() {}

    /**
     * (B, D, H, W) to a new C-order (B * H * W, D) array, image-major; (B, L, D) and (B, D) are
     * copied as they are, flattened to rows.
     */
    public static INDArray toLocationRows(INDArray maps) {
        if (maps.rank() == 2) {
            return maps.dup('c');
        }
        if (maps.rank() == 3) {
            return maps.dup('c').reshape(maps.size(0) * maps.size(1), maps.size(2));
        }
        long batch = maps.size(0);
        long dim = maps.size(1);
        long locations = maps.size(2) * maps.size(3);
        if (!NativeTiles.usable(maps)) {
            return maps.permute(0, 2, 3, 1).dup('c').reshape(batch * locations, dim);
        }
        INDArray source = contiguous(maps);
        INDArray rows = NativeMemory.uninitialized(maps.dataType(), batch * locations, dim);
        transpose(source, rows, (int) batch, (int) dim, (int) locations);
        if (source != maps) {
            source.close();
        }
        return rows;
    }

    /**
     * The inverse: (B * L, D) rows to a new C-order array of {@code shape}, NCHW, (B, L, D) or (B,
     * D).
     */
    public static INDArray toMaps(INDArray rows, long[] shape) {
        if (shape.length < 4) {
            return rows.dup('c').reshape(shape);
        }
        long batch = shape[0];
        long dim = shape[1];
        long locations = shape[2] * shape[3];
        if (!NativeTiles.usable(rows)) {
            return rows.reshape(batch, shape[2], shape[3], dim)
                    .permute(0, 3, 1, 2)
                    .dup('c');
        }
        INDArray source = contiguous(rows);
        INDArray maps = NativeMemory.uninitialized(rows.dataType(), shape);
        transpose(source, maps, (int) batch, (int) locations, (int) dim);
        if (source != rows) {
            source.close();
        }
        return maps;
    }

    private static INDArray contiguous(INDArray x) {
        boolean dense = x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x) && !x.isView();
        return dense ? x : x.dup('c');
    }

    private static void transpose(INDArray source, INDArray target, int images, int rows, int cols) {
        long from = NativeLibrary.address(source);
        long to = NativeLibrary.address(target);
        NativeTiles.forRows(images, rows * cols, (b, e) -> NativeTiles.transposeImages(from, to, b, e, rows, cols));
    }
}
