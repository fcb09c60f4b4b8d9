package dev.contrastive.augment.transform;

import static dev.contrastive.augment.transform.Batches.assertConstant;
import static dev.contrastive.augment.transform.Batches.assertInRange;
import static dev.contrastive.augment.transform.Batches.assertReplays;
import static dev.contrastive.augment.transform.Batches.assertSameShape;
import static dev.contrastive.augment.transform.Batches.assertStreamsDecide;
import static dev.contrastive.augment.transform.Batches.at;
import static dev.contrastive.augment.transform.Batches.constant;
import static dev.contrastive.augment.transform.Batches.row;
import static dev.contrastive.augment.transform.Batches.uniform;
import static dev.contrastive.augment.transform.Steps.resizedCrop;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Flip, translate, resized crop and pad: shape, identity, determinism and what they must change.
 */
class GeometryTransformTest {

    @Test
    void flipMirrorsEveryRowAtPOne() {
        ImageBatch in = uniform(3, 3, 5, 7, 1);
        float[] before = in.data().clone();
        ImageBatch out = new HorizontalFlip(1).apply(in);
        assertSameShape(ItemShape.image(3, 5, 7), out, 3);
        ImageBatch original = new ImageBatch(before, 3, in.shape(), ImageBatch.streams(0, 3));
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 5; y++) {
                    for (int x = 0; x < 7; x++) {
                        assertEquals(at(original, r, c, y, 6 - x), at(out, r, c, y, x));
                    }
                }
            }
        }
    }

    @Test
    void flipAtPZeroIsIdentityAndFlipsAboutHalfAtPHalf() {
        ImageBatch in = uniform(400, 1, 2, 3, 2);
        float[] before = in.data().clone();
        assertArrayEquals(before, new HorizontalFlip(0).apply(in).data());

        ImageBatch out = new HorizontalFlip(0.5).apply(in);
        int flipped = 0;
        for (int r = 0; r < 400; r++) {
            if (!Arrays.equals(row(out, r), Arrays.copyOfRange(before, r * 6, r * 6 + 6))) {
                flipped++;
            }
        }
        // Binomial(400, 0.5): 200 +- 10 standard deviation; 140..260 is 6 of them.
        assertTrue(flipped > 140 && flipped < 260, "flipped " + flipped + " of 400");
    }

    @Test
    void flipIsDeterministicUnderASeed() {
        assertReplays(new HorizontalFlip(0.5), uniform(50, 3, 4, 4, 3), 77);
    }

    @Test
    void reflectMirrorsAboutTheEdgePixelWithoutRepeatingIt() {
        assertEquals(1, Checks.reflect(-1, 5));
        assertEquals(4, Checks.reflect(-4, 5));
        assertEquals(3, Checks.reflect(5, 5));
        assertEquals(0, Checks.reflect(8, 5));
        assertEquals(0, Checks.reflect(7, 1));
    }

    /** The reference: out(y, x) = in(reflect(y - dy), reflect(x - dx)). */
    private static float[] shifted(float[] in, int c, int h, int w, int dx, int dy) {
        float[] out = new float[in.length];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[(ch * h + y) * w + x] =
                            in[(ch * h + Checks.reflect(y - dy, h)) * w + Checks.reflect(x - dx, w)];
                }
            }
        }
        return out;
    }

    @Test
    void translateIsAReflectPaddedShiftWithinMaxShift() {
        int max = 4;
        ImageBatch in = uniform(60, 3, 9, 11, 4);
        float[] before = in.data().clone();
        ImageBatch out = new RandomTranslate(max, 1).apply(in);
        assertSameShape(ItemShape.image(3, 9, 11), out, 60);
        int moved = 0;
        for (int r = 0; r < 60; r++) {
            float[] source = Arrays.copyOfRange(before, r * in.rowSize(), (r + 1) * in.rowSize());
            float[] got = row(out, r);
            boolean matched = false;
            for (int dx = -max; dx <= max && !matched; dx++) {
                for (int dy = -max; dy <= max && !matched; dy++) {
                    matched = Arrays.equals(got, shifted(source, 3, 9, 11, dx, dy));
                }
            }
            assertTrue(matched, "row " + r + " is no reflect shift within " + max);
            if (!Arrays.equals(got, source)) {
                moved++;
            }
        }
        // P(shift 0, 0) = 1/81: nearly every row moves.
        assertTrue(moved > 50, "moved " + moved + " of 60");
    }

    @Test
    void translateIsIdentityAtZeroShiftOrZeroProbability() {
        ImageBatch in = uniform(10, 3, 6, 6, 5);
        float[] before = in.data().clone();
        assertArrayEquals(before, new RandomTranslate(0, 1).apply(in).data());
        assertArrayEquals(before, new RandomTranslate(3, 0).apply(in).data());
    }

    @Test
    void translateIsDeterministicUnderASeed() {
        assertStreamsDecide(new RandomTranslate(4, 0.8), uniform(20, 3, 8, 8, 6), 9, 10);
    }

    @Test
    void translateRejectsAShiftAsLargeAsTheImage() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new RandomTranslate(4, 1).apply(uniform(1, 1, 4, 8, 0)));
        assertTrue(e.getMessage().contains("translate.maxShift"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Interpolation.class)
    void resizedCropOfTheWholeImageAtItsOwnSizeIsIdentity(Interpolation filter) {
        ImageBatch in = uniform(4, 3, 12, 12, 7);
        float[] before = in.data().clone();
        ImageBatch out = resizedCrop(12, 1, 1, 1, 1, filter).apply(in);
        assertArrayEquals(before, out.data(), 1e-6f);
    }

    @ParameterizedTest
    @EnumSource(Interpolation.class)
    void resizedCropMakesTheOutputSizeInRangeAndKeepsConstantsConstant(Interpolation filter) {
        ImageBatch in = uniform(16, 3, 40, 30, 8);
        ImageBatch out = resizedCrop(20, 24, 0.3, 1, 0.7, 1.4, filter).apply(in);
        assertSameShape(ItemShape.image(3, 20, 24), out, 16);
        assertInRange(out, 0, 1);

        ImageBatch flat = constant(2, 3, 40, 30, 0.37f, 1);
        assertConstant(resizedCrop(64, 64, 0.3, 1, 0.7, 1.4, filter).apply(flat), 0.37f, 1e-6f);
    }

    @Test
    void resizedCropDrawsBoxesInsideTheImageWithinScaleAndRatio() {
        RandomResizedCrop crop = resizedCrop(64, 0.3, 1.0, 0.7, 1.4, Interpolation.BICUBIC);
        SplittableRandom random = new SplittableRandom(11);
        double minArea = 1;
        double maxArea = 0;
        for (int i = 0; i < 2000; i++) {
            RandomResizedCrop.Box box = crop.drawBox(96, 96, random);
            assertTrue(
                    box.top() >= 0
                            && box.left() >= 0
                            && box.top() + box.height() <= 96
                            && box.left() + box.width() <= 96,
                    box.toString());
            double area = box.height() * box.width() / (96.0 * 96.0);
            double ratio = (double) box.width() / box.height();
            // Sides are rounded to whole pixels: allow a pixel's worth of slack.
            assertTrue(area > 0.3 - 0.03 && area <= 1.0, "area " + area);
            assertTrue(ratio > 0.7 - 0.03 && ratio < 1.4 + 0.03, "ratio " + ratio);
            minArea = Math.min(minArea, area);
            maxArea = Math.max(maxArea, area);
        }
        assertTrue(minArea < 0.35 && maxArea > 0.9, "areas span " + minArea + ".." + maxArea);
    }

    /**
     * Halves a 32 x 32 one-pixel checkerboard with {@code shrink}: antialiased resampling averages it
     * to 0.5 away from the edges; sampling every other pixel would give all 0 or all 1.
     */
    private static void assertHalvingAveragesACheckerboard(Transform shrink) {
        float[] board = new float[32 * 32];
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                board[y * 32 + x] = (x + y) % 2;
            }
        }
        ImageBatch in = new ImageBatch(board, 1, ItemShape.image(1, 32, 32), ImageBatch.streams(0, 1));
        ImageBatch out = shrink.apply(in);
        for (int y = 2; y < 14; y++) {
            for (int x = 2; x < 14; x++) {
                assertEquals(0.5f, at(out, 0, 0, y, x), 0.02f);
            }
        }
    }

    @Test
    void resizedCropShrinkingAveragesInsteadOfSkipping() {
        assertHalvingAveragesACheckerboard(resizedCrop(16, 1, 1, 1, 1, Interpolation.BILINEAR));
    }

    @Test
    void resizedCropIsDeterministicUnderASeed() {
        assertStreamsDecide(resizedCrop(16, 0.3, 1, 0.7, 1.4, Interpolation.BICUBIC), uniform(6, 3, 24, 24, 12), 3, 4);
    }

    @Test
    void padSurroundsEachRowWithTheFill() {
        ImageBatch in = uniform(2, 1, 3, 3, 13);
        float[] before = in.data().clone();
        ImageBatch out = new Pad(2, 0f).apply(in);
        assertSameShape(ItemShape.image(1, 7, 7), out, 2);
        for (int r = 0; r < 2; r++) {
            for (int y = 0; y < 7; y++) {
                for (int x = 0; x < 7; x++) {
                    boolean inside = y >= 2 && y < 5 && x >= 2 && x < 5;
                    float expected = inside ? before[r * 9 + (y - 2) * 3 + (x - 2)] : 0f;
                    assertEquals(expected, at(out, r, 0, y, x));
                }
            }
        }
        ImageBatch same = uniform(2, 1, 3, 3, 13);
        assertArrayEquals(before, new Pad(0, 0f).apply(same).data());
    }

    @Test
    void resizeSetsTheShorterSideAndTruncatesTheLongerOne() {
        Resize resize = new Resize(70, Interpolation.BICUBIC);
        assertEquals(ItemShape.image(3, 70, 70), resize.outputShape(ItemShape.image(3, 96, 96)));
        // torchvision: int(146 * 160 / 140) = int(166.86) = 166.
        assertEquals(
                ItemShape.image(3, 166, 146),
                new Resize(146, Interpolation.BICUBIC).outputShape(ItemShape.image(3, 160, 140)));
        assertEquals(
                new ItemShape(4, 1, 6, 8),
                new Resize(6, Interpolation.BILINEAR).outputShape(new ItemShape(4, 1, 3, 4)));
        assertSameShape(ItemShape.image(3, 70, 70), resize.apply(uniform(2, 3, 96, 96, 14)), 2);
    }

    @Test
    void resizeUpsamplesWithPilsFilterWeights() {
        // A 1 x 2 ramp (0, 1) to a shorter side of 2: 2 x 4. Output x samples the source at (x + 0.5) /
        // 2
        // - 0.5 = -0.25, 0.25, 0.75, 1.25 pixels, the filter truncated at the image's edge.
        ImageBatch in = new ImageBatch(new float[] {0f, 1f}, 1, ItemShape.image(1, 1, 2), ImageBatch.streams(0, 1));
        ImageBatch bilinear = new Resize(2, Interpolation.BILINEAR).apply(in);
        assertSameShape(ItemShape.image(1, 2, 4), bilinear, 1);
        assertArrayEquals(new float[] {0f, 0.25f, 0.75f, 1f, 0f, 0.25f, 0.75f, 1f}, bilinear.data(), 1e-6f);

        // Keys a = -0.5 at the sample 0.25 px right of pixel 0: weights 111/128 and 29/128 of the two
        // pixels, normalised: 29/140. At -0.25 pixel 1's weight is negative and the result clamps to 0.
        ImageBatch again = new ImageBatch(new float[] {0f, 1f}, 1, ItemShape.image(1, 1, 2), ImageBatch.streams(0, 1));
        ImageBatch bicubic = new Resize(2, Interpolation.BICUBIC).apply(again);
        float[] row = {0f, 29f / 140, 111f / 140, 1f};
        assertArrayEquals(
                new float[] {row[0], row[1], row[2], row[3], row[0], row[1], row[2], row[3]}, bicubic.data(), 1e-6f);
    }

    @ParameterizedTest
    @EnumSource(Interpolation.class)
    void resizeKeepsConstantsAndLeavesAnImageOfTheRightSizeAlone(Interpolation filter) {
        ImageBatch shrunk = new Resize(17, filter).apply(constant(2, 3, 30, 40, 0.61f, 0));
        assertSameShape(ItemShape.image(3, 17, 22), shrunk, 2);
        assertConstant(shrunk, 0.61f, 1e-6f);

        ImageBatch in = uniform(3, 3, 12, 15, 15);
        float[] before = in.data().clone();
        assertArrayEquals(before, new Resize(12, filter).apply(in).data());
    }

    @Test
    void resizeShrinkingAverages() {
        assertHalvingAveragesACheckerboard(new Resize(16, Interpolation.BICUBIC));
    }

    @Test
    void centerCropKeepsTheMiddleRoundingHalfToEven() {
        // 4 x 5 to 2 x 2: top (4 - 2) / 2 = 1, left round(1.5) = 2.
        float[] pixels = new float[2 * 4 * 5];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = i;
        }
        ImageBatch in = new ImageBatch(pixels, 1, ItemShape.image(2, 4, 5), ImageBatch.streams(0, 1));
        ImageBatch out = new CenterCrop(2).apply(in);
        assertSameShape(ItemShape.image(2, 2, 2), out, 1);
        assertArrayEquals(new float[] {7, 8, 12, 13, 27, 28, 32, 33}, out.data());

        // 6 x 6 to 3 x 3: round(1.5) = 2 on both axes; 7 x 7 to 3 x 3: 2 as well.
        assertEquals(2 * 6 + 2, new CenterCrop(3).apply(indexed(6, 6)).data()[0]);
        assertEquals(2 * 7 + 2, new CenterCrop(3).apply(indexed(7, 7)).data()[0]);
    }

    private static ImageBatch indexed(int h, int w) {
        float[] pixels = new float[h * w];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = i;
        }
        return new ImageBatch(pixels, 1, ItemShape.image(1, h, w), ImageBatch.streams(0, 1));
    }

    @Test
    void centerCropOfTheWholeImageIsIdentityAndPatchesKeepTheirCount() {
        ImageBatch in = uniform(2, 3, 8, 8, 16);
        float[] before = in.data().clone();
        assertArrayEquals(before, new CenterCrop(8).apply(in).data());
        assertEquals(new ItemShape(49, 3, 6, 6), new CenterCrop(6).outputShape(new ItemShape(49, 3, 8, 8)));
    }

    @Test
    void centerCropRejectsImagesSmallerThanTheCropNamingTheirShape() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new CenterCrop(64).apply(uniform(1, 3, 60, 96, 0)));
        assertEquals("centercrop.size 64 needs images of at least 64 x 64, got 3 x 60 x 96", e.getMessage());
    }
}
