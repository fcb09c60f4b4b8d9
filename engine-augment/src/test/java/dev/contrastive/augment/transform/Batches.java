package dev.contrastive.augment.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** A copy with fresh streams from the same seed, so it replays exactly the same draws. */
    static ImageBatch replay(ImageBatch batch, long streamSeed) {
        return new ImageBatch(
                batch.data().clone(), batch.rows(), batch.shape(), ImageBatch.streams(streamSeed, batch.rows()));
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
