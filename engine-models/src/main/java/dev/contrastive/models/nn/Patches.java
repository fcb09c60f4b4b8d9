package dev.contrastive.models.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Cuts (B, C, H, W) images into a g x g grid of overlapping p x p patches with stride s, CPC's
 * input: output (B * g * g, C, p, p), image-major then row-major over the grid. Backward adds each
 * patch's gradient back onto the pixels it was cut from (overlaps accumulate).
 */
public final class Patches implements Module {

    private final Arena arena;
    private final int patch;
    private final int stride;
    private long[] inShape;
    private int grid;

    public Patches(Arena arena, int patch, int stride) {
        if (patch < 1 || stride < 1) {
            throw new IllegalArgumentException(
                    "patches.patch and patches.stride must be >= 1, got " + patch + ", " + stride);
        }
        this.arena = arena;
        this.patch = patch;
        this.stride = stride;
    }

    /** Grid side for an image side, or an exception naming the mismatch. */
    public int gridFor(long side) {
        if (side < patch || (side - patch) % stride != 0) {
            throw new IllegalArgumentException(
                    "image side " + side + " does not tile into " + patch + "-pixel patches with stride " + stride);
        }
        return (int) ((side - patch) / stride + 1);
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        if (x.size(2) != x.size(3)) {
            throw new IllegalArgumentException("patches need square images, got " + x.size(2) + "x" + x.size(3));
        }
        inShape = x.shape();
        grid = gridFor(x.size(2));
        long b = x.size(0);
        long c = x.size(1);
        INDArray out = arena.own(Nd4j.create(x.dataType(), b, (long) grid * grid, c, patch, patch));
        for (int i = 0; i < grid; i++) {
            for (int j = 0; j < grid; j++) {
                out.get(all(), NDArrayIndex.point((long) i * grid + j), all(), all(), all())
                        .assign(window(x, i, j));
            }
        }
        return out.reshape(b * grid * grid, c, patch, patch);
    }

    @Override
    public INDArray backward(INDArray dy) {
        INDArray d5 = dy.reshape(inShape[0], (long) grid * grid, inShape[1], patch, patch);
        INDArray dx = arena.own(Nd4j.zeros(dy.dataType(), inShape));
        for (int i = 0; i < grid; i++) {
            for (int j = 0; j < grid; j++) {
                window(dx, i, j).addi(d5.get(all(), NDArrayIndex.point((long) i * grid + j), all(), all(), all()));
            }
        }
        return dx;
    }

    /**
     * One Slice per patch, concatenated along the channels, (B, g g C, p, p), then reshaped to (B g
     * g, C, p, p): the same image-major, row-major order. The grid comes from the input's declared
     * shape, so the input must be a graph input.
     */
    @Override
    public String emit(OnnxGraph g, String input) {
        long[] shape = g.inputShape(input);
        if (shape.length != 4 || shape[2] != shape[3]) {
            throw new IllegalArgumentException(
                    "patches need square images (N, C, S, S), got " + Arrays.toString(shape));
        }
        int grid = gridFor(shape[2]);
        String axes = g.ints(2, 3);
        String[] cells = new String[grid * grid];
        for (int i = 0; i < grid; i++) {
            for (int j = 0; j < grid; j++) {
                long top = (long) i * stride;
                long left = (long) j * stride;
                cells[i * grid + j] = g.op("Slice", input, g.ints(top, left), g.ints(top + patch, left + patch), axes)
                        .output();
            }
        }
        String stacked = g.op("Concat", cells).integer("axis", 1).output();
        return g.op("Reshape", stacked, g.ints(-1, shape[1], patch, patch)).output();
    }

    private INDArray window(INDArray img, int i, int j) {
        return img.get(
                all(),
                all(),
                NDArrayIndex.interval((long) i * stride, (long) i * stride + patch),
                NDArrayIndex.interval((long) j * stride, (long) j * stride + patch));
    }

    private static INDArrayIndex all() {
        return NDArrayIndex.all();
    }
}
