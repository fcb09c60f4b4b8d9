package dev.contrastive.augment.transform;

import static dev.contrastive.augment.transform.Batches.assertInRange;
import static dev.contrastive.augment.transform.Batches.assertReplays;
import static dev.contrastive.augment.transform.Batches.assertSameShape;
import static dev.contrastive.augment.transform.Batches.assertStreamsDecide;
import static dev.contrastive.augment.transform.Batches.channelMean;
import static dev.contrastive.augment.transform.Batches.uniform;
import static dev.contrastive.augment.transform.Steps.jitter;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Colour jitter, grayscale, colour drop, blur and normalise. */
class ColorTransformTest {

    private static double lumaMean(ImageBatch b, int row) {
        int plane = b.height() * b.width();
        float[] d = b.data();
        int base = b.offset(row);
        double sum = 0;
        for (int i = 0; i < plane; i++) {
            sum += RandomGrayscale.luma(d[base + i], d[base + plane + i], d[base + 2 * plane + i]);
        }
        return sum / plane;
    }

    private static double std(ImageBatch b, int row) {
        float[] d = b.data();
        int base = b.offset(row);
        double mean = 0;
        for (int i = 0; i < b.rowSize(); i++) {
            mean += d[base + i];
        }
        mean /= b.rowSize();
        double var = 0;
        for (int i = 0; i < b.rowSize(); i++) {
            var += (d[base + i] - mean) * (d[base + i] - mean);
        }
        return Math.sqrt(var / b.rowSize());
    }

    @Test
    void jitterAtZeroStrengthOrZeroProbabilityIsIdentity() {
        ImageBatch in = uniform(8, 3, 6, 6, 1);
        float[] before = in.data().clone();
        assertArrayEquals(before, jitter(0, 0, 0, 0, 1).apply(in).data());
        assertArrayEquals(before, jitter(0.4, 0.4, 0.4, 0.2, 0).apply(in).data());
    }

    @Test
    void jitterKeepsShapeAndRangeAtExtremeStrengths() {
        ImageBatch out = jitter(5, 5, 5, 0.5, 1).apply(uniform(30, 3, 8, 8, 2));
        assertSameShape(ItemShape.image(3, 8, 8), out, 30);
        assertInRange(out, 0, 1);
    }

    @Test
    void brightnessScalesEveryPixelOfARowByOneFactorInRange() {
        // Pixels <= 0.5 never clip at factors <= 1.4.
        ImageBatch in = uniform(40, 3, 5, 5, 0.05, 0.5, 3);
        float[] before = in.data().clone();
        ImageBatch out = jitter(0.4, 0, 0, 0, 1).apply(in);
        Set<Long> factors = new HashSet<>();
        for (int r = 0; r < 40; r++) {
            int base = out.offset(r);
            double factor = out.data()[base] / before[base];
            assertTrue(factor >= 0.6 - 1e-6 && factor <= 1.4 + 1e-6, "factor " + factor);
            for (int i = 0; i < out.rowSize(); i++) {
                assertEquals(before[base + i] * factor, out.data()[base + i], 1e-5);
            }
            factors.add(Math.round(factor * 1000));
        }
        assertTrue(factors.size() > 30, "factors differ between rows: " + factors.size());
    }

    @Test
    void brightnessChangesTheMean() {
        ImageBatch in = uniform(40, 3, 8, 8, 0.2, 0.6, 4);
        double[] before = new double[40];
        for (int r = 0; r < 40; r++) {
            before[r] = channelMean(in, r, 0);
        }
        ImageBatch out = jitter(0.4, 0, 0, 0, 1).apply(in);
        double change = 0;
        for (int r = 0; r < 40; r++) {
            change += Math.abs(channelMean(out, r, 0) - before[r]);
        }
        // |f - 1| averages 0.2 over U(0.6, 1.4) and the mean is about 0.4.
        assertTrue(change / 40 > 0.04, "mean moved by " + change / 40);
    }

    @Test
    void contrastKeepsTheMeanLumaAndScalesTheSpread() {
        ImageBatch in = uniform(30, 3, 8, 8, 0.3, 0.7, 5);
        double[] luma = new double[30];
        double[] spread = new double[30];
        for (int r = 0; r < 30; r++) {
            luma[r] = lumaMean(in, r);
            spread[r] = std(in, r);
        }
        ImageBatch out = jitter(0, 0.4, 0, 0, 1).apply(in);
        boolean changed = false;
        for (int r = 0; r < 30; r++) {
            assertEquals(luma[r], lumaMean(out, r), 1e-5);
            double ratio = std(out, r) / spread[r];
            assertTrue(ratio >= 0.6 - 1e-4 && ratio <= 1.4 + 1e-4, "spread ratio " + ratio);
            changed |= Math.abs(ratio - 1) > 0.05;
        }
        assertTrue(changed);
    }

    @Test
    void saturationKeepsEachPixelsLumaAndLeavesGrayPixels() {
        ImageBatch in = uniform(20, 3, 6, 6, 0.3, 0.7, 6);
        int plane = 36;
        // Make row 0 gray.
        for (int i = 0; i < plane; i++) {
            in.data()[plane + i] = in.data()[i];
            in.data()[2 * plane + i] = in.data()[i];
        }
        float[] before = in.data().clone();
        ImageBatch out = jitter(0, 0, 0.4, 0, 1).apply(in);
        for (int i = 0; i < plane; i++) {
            assertEquals(before[i], out.data()[i], 1e-6f);
        }
        float[] d = out.data();
        for (int r = 0; r < 20; r++) {
            int base = out.offset(r);
            for (int i = 0; i < plane; i++) {
                float lumaBefore =
                        RandomGrayscale.luma(before[base + i], before[base + plane + i], before[base + 2 * plane + i]);
                float lumaAfter = RandomGrayscale.luma(d[base + i], d[base + plane + i], d[base + 2 * plane + i]);
                assertEquals(lumaBefore, lumaAfter, 1e-5f);
            }
        }
    }

    @Test
    void hueKeepsValueAndSaturationOfEveryPixelAndChangesColours() {
        ImageBatch in = uniform(20, 3, 6, 6, 7);
        float[] before = in.data().clone();
        ImageBatch out = jitter(0, 0, 0, 0.5, 1).apply(in);
        float[] d = out.data();
        int plane = 36;
        int changed = 0;
        for (int r = 0; r < 20; r++) {
            int base = out.offset(r);
            for (int i = 0; i < plane; i++) {
                float[] a = {before[base + i], before[base + plane + i], before[base + 2 * plane + i]};
                float[] b = {d[base + i], d[base + plane + i], d[base + 2 * plane + i]};
                float maxA = Math.max(a[0], Math.max(a[1], a[2]));
                float minA = Math.min(a[0], Math.min(a[1], a[2]));
                float maxB = Math.max(b[0], Math.max(b[1], b[2]));
                float minB = Math.min(b[0], Math.min(b[1], b[2]));
                assertEquals(maxA, maxB, 1e-5f);
                assertEquals((maxA - minA) / maxA, (maxB - minB) / maxB, 1e-4f);
                if (!Arrays.equals(a, b)) {
                    changed++;
                }
            }
        }
        assertTrue(changed > 600, "changed " + changed + " of 720 pixels");
    }

    /** Hue in turns, [0, 1), by the textbook formula. */
    private static double hueOf(double r, double g, double b) {
        double max = Math.max(r, Math.max(g, b));
        double chroma = max - Math.min(r, Math.min(g, b));
        double h = max == r ? (g - b) / chroma : max == g ? 2 + (b - r) / chroma : 4 + (r - g) / chroma;
        return ((h / 6) % 1 + 1) % 1;
    }

    @Test
    void hueRotatesEveryPixelOfARowByTheSameTurn() {
        // Each row: a red, a green, a blue and an orange pixel, hues 0, 1/3, 2/3 and 1/12 apart.
        float[][] colours = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0.8f, 0.4f, 0}};
        double[] hues = {0, 1 / 3.0, 2 / 3.0, 1 / 12.0};
        int rows = 50;
        float[] data = new float[rows * 3 * 4];
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < 4; p++) {
                for (int c = 0; c < 3; c++) {
                    data[r * 12 + c * 4 + p] = colours[p][c];
                }
            }
        }
        ImageBatch out = jitter(0, 0, 0, 0.5, 1)
                .apply(new ImageBatch(data, rows, ItemShape.image(3, 1, 4), ImageBatch.streams(3, rows)));
        double smallest = 1;
        double largest = 0;
        for (int r = 0; r < rows; r++) {
            double turn = -1;
            for (int p = 0; p < 4; p++) {
                float[] d = out.data();
                double h = hueOf(d[r * 12 + p], d[r * 12 + 4 + p], d[r * 12 + 8 + p]);
                double shift = ((h - hues[p]) % 1 + 1) % 1;
                if (turn < 0) {
                    turn = shift;
                }
                double gap = Math.abs(shift - turn);
                assertTrue(
                        Math.min(gap, 1 - gap) < 1e-5,
                        "row " + r + " pixel " + p + " turned " + shift + ", pixel 0 " + turn);
            }
            double signed = turn > 0.5 ? turn - 1 : turn;
            smallest = Math.min(smallest, signed);
            largest = Math.max(largest, signed);
        }
        // Turns are uniform in [-0.5, 0.5].
        assertTrue(smallest < -0.3 && largest > 0.3, "turns span " + smallest + ".." + largest);
    }

    @Test
    void saturationAndHueLeaveOneChannelImages() {
        ImageBatch in = uniform(10, 1, 6, 6, 8);
        float[] before = in.data().clone();
        assertArrayEquals(before, jitter(0, 0, 1, 0.5, 1).apply(in).data());
    }

    @Test
    void jitterIsDeterministicUnderASeed() {
        ImageBatch in = uniform(10, 3, 6, 6, 9);
        assertStreamsDecide(jitter(0.4, 0.4, 0.4, 0.2, 0.8), in, 1, 2);
    }

    @Test
    void grayscaleMakesEqualChannelsOfTheLuma() {
        ImageBatch in = uniform(5, 3, 4, 4, 10);
        float[] before = in.data().clone();
        ImageBatch out = new RandomGrayscale(1).apply(in);
        assertSameShape(ItemShape.image(3, 4, 4), out, 5);
        float[] d = out.data();
        for (int r = 0; r < 5; r++) {
            int base = out.offset(r);
            for (int i = 0; i < 16; i++) {
                float luma = RandomGrayscale.luma(before[base + i], before[base + 16 + i], before[base + 32 + i]);
                assertEquals(luma, d[base + i], 1e-6f);
                assertEquals(d[base + i], d[base + 16 + i]);
                assertEquals(d[base + i], d[base + 32 + i]);
            }
        }
    }

    @Test
    void grayscaleIsIdentityAtPZeroAndOnOneChannelAndHitsAboutPOfRows() {
        ImageBatch in = uniform(4, 3, 4, 4, 11);
        float[] before = in.data().clone();
        assertArrayEquals(before, new RandomGrayscale(0).apply(in).data());
        ImageBatch gray = uniform(4, 1, 4, 4, 12);
        float[] grayBefore = gray.data().clone();
        assertArrayEquals(grayBefore, new RandomGrayscale(1).apply(gray).data());

        ImageBatch many = new RandomGrayscale(0.25).apply(uniform(800, 3, 2, 2, 13));
        int grayed = 0;
        for (int r = 0; r < 800; r++) {
            int base = many.offset(r);
            if (many.data()[base] == many.data()[base + 4] && many.data()[base] == many.data()[base + 8]) {
                grayed++;
            }
        }
        // Binomial(800, 0.25): 200 +- 12.2.
        assertTrue(grayed > 140 && grayed < 260, "grayed " + grayed + " of 800");
    }

    @Test
    void colorDropKeepsOneChannelAndFillsTheOthers() {
        ImageBatch in = uniform(60, 3, 4, 4, 14);
        float[] before = in.data().clone();
        ImageBatch out = new ColorDrop(1, 0f, 1).apply(in);
        Set<Integer> keptChannels = new HashSet<>();
        for (int r = 0; r < 60; r++) {
            int kept = -1;
            for (int c = 0; c < 3; c++) {
                int from = out.offset(r) + c * 16;
                float[] got = Arrays.copyOfRange(out.data(), from, from + 16);
                if (Arrays.equals(got, Arrays.copyOfRange(before, from, from + 16))) {
                    assertEquals(-1, kept, "row " + r + " kept more than one channel");
                    kept = c;
                } else {
                    for (float v : got) {
                        assertEquals(0f, v);
                    }
                }
            }
            assertTrue(kept >= 0, "row " + r + " kept no channel");
            keptChannels.add(kept);
        }
        assertEquals(Set.of(0, 1, 2), keptChannels);
    }

    @Test
    void colorDropIsIdentityWhenKeepingAllOrAtPZeroOrOnOneChannel() {
        ImageBatch in = uniform(5, 3, 4, 4, 15);
        float[] before = in.data().clone();
        assertArrayEquals(before, new ColorDrop(3, 0f, 1).apply(in).data());
        assertArrayEquals(before, new ColorDrop(1, 0f, 0).apply(in).data());
        ImageBatch gray = uniform(5, 1, 4, 4, 16);
        float[] grayBefore = gray.data().clone();
        assertArrayEquals(grayBefore, new ColorDrop(1, 0f, 1).apply(gray).data());
        assertReplays(new ColorDrop(2, 0.5f, 0.5), in, 3);
    }

    /** Sum of squared differences between horizontal and vertical neighbours. */
    private static double highFrequencyEnergy(ImageBatch b) {
        double e = 0;
        for (int r = 0; r < b.rows(); r++) {
            for (int c = 0; c < b.channels(); c++) {
                for (int y = 0; y < b.height(); y++) {
                    for (int x = 0; x < b.width(); x++) {
                        float v = Batches.at(b, r, c, y, x);
                        if (x + 1 < b.width()) {
                            e += Math.pow(v - Batches.at(b, r, c, y, x + 1), 2);
                        }
                        if (y + 1 < b.height()) {
                            e += Math.pow(v - Batches.at(b, r, c, y + 1, x), 2);
                        }
                    }
                }
            }
        }
        return e;
    }

    @Test
    void blurLowersHighFrequencyEnergyAndKeepsMeanAndRange() {
        ImageBatch in = uniform(4, 3, 16, 16, 17);
        double energy = highFrequencyEnergy(in);
        double mean = channelMean(in, 0, 0);
        ImageBatch out = new GaussianBlur(5, 1.0, 2.0, 1).apply(in);
        assertSameShape(ItemShape.image(3, 16, 16), out, 4);
        assertInRange(out, 0, 1);
        assertTrue(highFrequencyEnergy(out) < 0.2 * energy, "energy " + highFrequencyEnergy(out) + " of " + energy);
        assertEquals(mean, channelMean(out, 0, 0), 0.02);
    }

    @Test
    void blurIsIdentityAtSigmaZeroKernelOneOrPZeroAndDeterministic() {
        ImageBatch in = uniform(3, 3, 8, 8, 18);
        float[] before = in.data().clone();
        assertArrayEquals(before, new GaussianBlur(5, 0, 0, 1).apply(in).data());
        assertArrayEquals(before, new GaussianBlur(1, 1, 2, 1).apply(in).data());
        assertArrayEquals(before, new GaussianBlur(5, 1, 2, 0).apply(in).data());
        assertReplays(new GaussianBlur(3, 0.1, 2, 0.5), in, 1);
    }

    /** Each channel's mean and (population) standard deviation over all rows of a batch. */
    private record ChannelStatistics(double[] mean, double[] std) {
        static ChannelStatistics of(ImageBatch b) {
            int plane = b.height() * b.width();
            double n = (double) b.rows() * plane;
            double[] mean = new double[b.channels()];
            double[] std = new double[b.channels()];
            for (int c = 0; c < b.channels(); c++) {
                double sum = 0;
                double sq = 0;
                for (int r = 0; r < b.rows(); r++) {
                    for (int i = 0; i < plane; i++) {
                        double v = b.data()[b.offset(r) + c * plane + i];
                        sum += v;
                        sq += v * v;
                    }
                }
                mean[c] = sum / n;
                std[c] = Math.sqrt(sq / n - mean[c] * mean[c]);
            }
            return new ChannelStatistics(mean, std);
        }
    }

    @Test
    void normalizeGivesZeroMeanUnitStdOnMatchingStatistics() {
        ImageBatch in = uniform(50, 3, 10, 10, 0.1, 0.9, 19);
        ChannelStatistics given = ChannelStatistics.of(in);
        float[] mean = new float[3];
        float[] std = new float[3];
        for (int c = 0; c < 3; c++) {
            mean[c] = (float) given.mean[c];
            std[c] = (float) given.std[c];
        }
        Normalize normalize = new Normalize(mean, std);
        float[] before = in.data().clone();
        ImageBatch out = normalize.apply(in);
        ChannelStatistics normalised = ChannelStatistics.of(out);
        for (int c = 0; c < 3; c++) {
            assertEquals(0, normalised.mean[c], 1e-4);
            assertEquals(1, normalised.std[c], 1e-4);
        }
        assertArrayEquals(before, normalize.inverse().apply(out).data(), 1e-5f);
        float[] again = out.data().clone();
        Normalize identity = new Normalize(new float[] {0, 0, 0}, new float[] {1, 1, 1});
        assertArrayEquals(again, identity.apply(out).data());
    }
}
