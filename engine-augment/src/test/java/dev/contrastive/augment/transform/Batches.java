package dev.contrastive.augment.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Test helpers: seeded batches and the checks every transform test repeats. */
final class Batches {

    private Batches() {}

    /** Rows of pixels uniform in [lo, hi), each row with a stream from {@code seed}. */
    static ImageBatch uniform(int rows, int c, int h, int w, double lo, double hi, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] data = new float[rows * c * h * w];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (lo + (hi - lo) * random.nextDouble());
        }
        return new ImageBatch(data, rows, ItemShape.image(c, h, w), ImageBatch.streams(seed + 1, rows));
    }

    static ImageBatch uniform(int rows, int c, int h, int w, long seed) {
        return uniform(rows, c, h, w, 0, 1, seed);
    }

    /** Rows whose every pixel is {@code value}, each row with a stream from {@code seed}. */
    static ImageBatch constant(int rows, int c, int h, int w, float value, long seed) {
        float[] data = new float[rows * c * h * w];
        Arrays.fill(data, value);
        return new ImageBatch(data, rows, ItemShape.image(c, h, w), ImageBatch.streams(seed, rows));
    }

    /** A copy with fresh streams from the same seed, so it replays exactly the same draws. */
    static ImageBatch replay(ImageBatch batch, long streamSeed) {
        return new ImageBatch(
                batch.data().clone(), batch.rows(), batch.shape(), ImageBatch.streams(streamSeed, batch.rows()));
    }

    /** {@code transform} makes the same pixels twice from copies of {@code in} with the same streams. */
    static void assertReplays(Transform transform, ImageBatch in, long streamSeed) {
        assertArrayEquals(
                transform.apply(replay(in, streamSeed)).data(),
                transform.apply(replay(in, streamSeed)).data());
    }

    /** As {@link #assertReplays}, and other streams make other pixels: the streams decide the draws. */
    static void assertStreamsDecide(Transform transform, ImageBatch in, long streamSeed, long otherSeed) {
        assertReplays(transform, in, streamSeed);
        assertFalse(Arrays.equals(
                transform.apply(replay(in, streamSeed)).data(),
                transform.apply(replay(in, otherSeed)).data()));
    }

    static void assertInRange(ImageBatch batch, float lo, float hi) {
        for (float v : batch.data()) {
            assertTrue(v >= lo && v <= hi, "value " + v + " outside [" + lo + ", " + hi + "]");
        }
    }

    /** Pixel (c, y, x) of {@code row}. */
    static float at(ImageBatch b, int row, int c, int y, int x) {
        return b.data()[b.offset(row) + (c * b.height() + y) * b.width() + x];
    }

    /** Every pixel of {@code batch} is {@code value} within {@code tolerance}. */
    static void assertConstant(ImageBatch batch, float value, float tolerance) {
        for (float v : batch.data()) {
            assertEquals(value, v, tolerance);
        }
    }

    static void assertSameShape(ItemShape expected, ImageBatch batch, int rows) {
        assertEquals(expected, batch.shape());
        assertEquals(rows, batch.rows());
        assertEquals((long) rows * expected.rowSize(), batch.data().length);
    }

    /** Mean of channel c of row r. */
    static double channelMean(ImageBatch b, int row, int c) {
        int plane = b.height() * b.width();
        int from = b.offset(row) + c * plane;
        double sum = 0;
        for (int i = from; i < from + plane; i++) {
            sum += b.data()[i];
        }
        return sum / plane;
    }

    static float[] row(ImageBatch b, int row) {
        float[] out = new float[b.rowSize()];
        System.arraycopy(b.data(), b.offset(row), out, 0, out.length);
        return out;
    }
}
