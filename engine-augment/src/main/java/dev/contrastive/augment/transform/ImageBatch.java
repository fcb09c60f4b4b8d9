package dev.contrastive.augment.transform;

import dev.contrastive.augment.data.Image;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A batch of float32 images in (rows, C, H, W) order, each row with its own random stream.
 *
 * <p>Pixels are in [0, 1] until a {@link Normalize} moves them. {@code patchesPerImage} rows belong
 * to one dataset image ({@code 1} until {@link Patchify} cuts images into patches), so the rows of
 * image {@code i} are {@code i * patchesPerImage .. (i + 1) * patchesPerImage - 1}.
 *
 * <p>Row {@code r} draws every random number it needs from {@link #random(int) random(r)} and from
 * nothing else, so a row's result depends only on its own stream: not on the other rows, the batch
 * size, or which thread ran it. Transforms own the batch they are given: they may overwrite its
 * pixels and its streams, and return it.
 */
public final class ImageBatch {

    private final float[] data;
    private final int rows;
    private final ItemShape shape;
    private final SplittableRandom[] random;

    /**
     * Wraps {@code data} without copying it.
     *
     * @param data rows * C * H * W floats, row-major (rows, C, H, W)
     * @param rows number of rows, >= 0, a multiple of {@code shape.patches()}
     * @param shape rows per image and the (C, H, W) of each row
     * @param random one stream per row
     */
    public ImageBatch(float[] data, int rows, ItemShape shape, SplittableRandom[] random) {
        if (shape == null) {
            throw new IllegalArgumentException("batch.shape must not be null");
        }
        if (rows < 0 || rows % shape.patches() != 0) {
            throw new IllegalArgumentException(
                    "batch.rows must be >= 0 and a multiple of " + shape.patches() + " patches per image, got " + rows);
        }
        if (data == null || data.length != (long) rows * shape.rowSize()) {
            throw new IllegalArgumentException("batch.data has "
                    + (data == null ? 0 : data.length)
                    + " floats, expected rows * C * H * W = "
                    + (long) rows * shape.rowSize());
        }
        if (random == null || random.length != rows) {
            throw new IllegalArgumentException("batch.random has "
                    + (random == null ? 0 : random.length)
                    + " streams, expected one per row: "
                    + rows);
        }
        this.data = data;
        this.rows = rows;
        this.shape = shape;
        this.random = random;
    }

    /**
     * Images scaled from [0, 255] to [0, 1], one row each.
     *
     * @param images all of the same channels, height and width
     * @param random one stream per image
     */
    public static ImageBatch fromImages(List<Image> images, SplittableRandom[] random) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("batch.images must not be empty");
        }
        Image first = images.get(0);
        ItemShape shape = ItemShape.image(first.channels(), first.height(), first.width());
        int size = shape.rowSize();
        float[] data = new float[images.size() * size];
        for (int i = 0; i < images.size(); i++) {
            Image image = images.get(i);
            image.requireShapeOf(first, "batch.images[" + i + "]");
            byte[] pixels = image.pixels();
            int base = i * size;
            for (int k = 0; k < size; k++) {
                data[base + k] = (pixels[k] & 0xFF) * (1f / 255f);
            }
        }
        return new ImageBatch(data, images.size(), shape, random);
    }

    /**
     * One stream per row, split in order from a generator seeded with {@code seed}: the convenient
     * way to run a transform reproducibly outside the {@code pipeline} package.
     */
    public static SplittableRandom[] streams(long seed, int rows) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom[] streams = new SplittableRandom[rows];
        for (int r = 0; r < rows; r++) {
            streams[r] = root.split();
        }
        return streams;
    }

    /** The pixels, live: writes change this batch. */
    public float[] data() {
        return data;
    }

    public int rows() {
        return rows;
    }

    /** Number of dataset images: rows / patches per image. */
    public int images() {
        return rows / shape.patches();
    }

    public ItemShape shape() {
        return shape;
    }

    public int channels() {
        return shape.channels();
    }

    public int height() {
        return shape.height();
    }

    public int width() {
        return shape.width();
    }

    /** Floats per row, C * H * W. */
    public int rowSize() {
        return shape.rowSize();
    }

    /** Index in {@link #data()} of row {@code row}'s first float. */
    public int offset(int row) {
        return row * shape.rowSize();
    }

    /** The random stream of row {@code row}. */
    public SplittableRandom random(int row) {
        return random[row];
    }

    /**
     * A copy of the pixels whose rows draw from new streams split off this batch's, one per row. Used
     * to make independent views of the same images: each split advances this batch's streams, so two
     * successive forks get different, reproducible streams.
     */
    public ImageBatch fork() {
        SplittableRandom[] streams = new SplittableRandom[rows];
        for (int r = 0; r < rows; r++) {
            streams[r] = random[r].split();
        }
        return new ImageBatch(data.clone(), rows, shape, streams);
    }

    /** Changes one row in place, for {@link #changeRows}. */
    @FunctionalInterface
    interface RowChange {
        /** Changes the row whose first float is at {@code base}, drawing what it needs from {@code random}. */
        void change(int base, SplittableRandom random);
    }

    /**
     * For steps that change each row in place with probability {@code p}: each row's stream decides
     * with one draw (below {@code p}: changed), then {@code change} draws what it needs from the same
     * stream. Returns this batch.
     */
    ImageBatch changeRows(double p, RowChange change) {
        for (int r = 0; r < rows; r++) {
            SplittableRandom stream = random[r];
            if (stream.nextDouble() < p) {
                change.change(offset(r), stream);
            }
        }
        return this;
    }

    /** Writes one output row, for {@link #resampled}. */
    @FunctionalInterface
    interface RowWriter {
        /** Writes the output of row {@code row} into {@code dst} from index {@code to}. */
        void write(int row, float[] dst, int to);
    }

    /**
     * For steps that change each row on its own without drawing from the streams and change nothing
     * when the shape stays: this batch itself if it already has shape {@code out}, else a batch of
     * {@code out} rows, each written by {@code writer}, with the same streams.
     */
    ImageBatch resampled(ItemShape out, RowWriter writer) {
        if (out.equals(shape)) {
            return this;
        }
        float[] dst = new float[rows * out.rowSize()];
        for (int r = 0; r < rows; r++) {
            writer.write(r, dst, r * out.rowSize());
        }
        return reshaped(dst, out);
    }

    /**
     * A batch of new pixels and shape with the same streams, for transforms that change the shape.
     */
    ImageBatch reshaped(float[] newData, ItemShape newShape) {
        return new ImageBatch(newData, rows, newShape, random);
    }
}
