package dev.contrastive.augment.transform;

import static dev.contrastive.augment.transform.Batches.assertInRange;
import static dev.contrastive.augment.transform.Batches.assertSameShape;
import static dev.contrastive.augment.transform.Batches.at;
import static dev.contrastive.augment.transform.Batches.replay;
import static dev.contrastive.augment.transform.Batches.row;
import static dev.contrastive.augment.transform.Batches.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Flip, translate, resized crop and pad: shape, identity, determinism and what they must change. */
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
    ImageBatch in = uniform(50, 3, 4, 4, 3);
    ImageBatch again = replay(in, 77);
    ImageBatch first = replay(in, 77);
    assertArrayEquals(new HorizontalFlip(0.5).apply(first).data(),
        new HorizontalFlip(0.5).apply(again).data());
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
    ImageBatch in = uniform(20, 3, 8, 8, 6);
    assertArrayEquals(new RandomTranslate(4, 0.8).apply(replay(in, 9)).data(),
        new RandomTranslate(4, 0.8).apply(replay(in, 9)).data());
    assertFalse(Arrays.equals(new RandomTranslate(4, 0.8).apply(replay(in, 9)).data(),
        new RandomTranslate(4, 0.8).apply(replay(in, 10)).data()));
  }

  @Test
  void translateRejectsAShiftAsLargeAsTheImage() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new RandomTranslate(4, 1).apply(uniform(1, 1, 4, 8, 0)));
    assertTrue(e.getMessage().contains("translate.maxShift"), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(Interpolation.class)
  void resizedCropOfTheWholeImageAtItsOwnSizeIsIdentity(Interpolation filter) {
    ImageBatch in = uniform(4, 3, 12, 12, 7);
    float[] before = in.data().clone();
    ImageBatch out = RandomResizedCrop.square(12, 1, 1, 1, 1, filter).apply(in);
    assertArrayEquals(before, out.data(), 1e-6f);
  }

  @ParameterizedTest
  @EnumSource(Interpolation.class)
  void resizedCropMakesTheOutputSizeInRangeAndKeepsConstantsConstant(Interpolation filter) {
    ImageBatch in = uniform(16, 3, 40, 30, 8);
    ImageBatch out = new RandomResizedCrop(20, 24, 0.3, 1, 0.7, 1.4, filter).apply(in);
    assertSameShape(ItemShape.image(3, 20, 24), out, 16);
    assertInRange(out, 0, 1);

    float[] gray = new float[2 * 3 * 40 * 30];
    Arrays.fill(gray, 0.37f);
    ImageBatch flat = new ImageBatch(gray, 2, ItemShape.image(3, 40, 30),
        ImageBatch.streams(1, 2));
    for (float v : new RandomResizedCrop(64, 64, 0.3, 1, 0.7, 1.4, filter).apply(flat).data()) {
      assertEquals(0.37f, v, 1e-6f);
    }
  }

  @Test
  void resizedCropDrawsBoxesInsideTheImageWithinScaleAndRatio() {
    RandomResizedCrop crop = RandomResizedCrop.square(64, 0.3, 1.0, 0.7, 1.4,
        Interpolation.BICUBIC);
    SplittableRandom random = new SplittableRandom(11);
    double minArea = 1;
    double maxArea = 0;
    for (int i = 0; i < 2000; i++) {
      RandomResizedCrop.Box box = crop.drawBox(96, 96, random);
      assertTrue(box.top() >= 0 && box.left() >= 0 && box.top() + box.height() <= 96
          && box.left() + box.width() <= 96, box.toString());
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

  @Test
  void resizedCropShrinkingAveragesInsteadOfSkipping() {
    // A 1-pixel checkerboard halved: antialiased resampling averages to 0.5; sampling every other
    // pixel would give all 0 or all 1.
    float[] board = new float[32 * 32];
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        board[y * 32 + x] = (x + y) % 2;
      }
    }
    ImageBatch in = new ImageBatch(board, 1, ItemShape.image(1, 32, 32), ImageBatch.streams(0, 1));
    ImageBatch out = RandomResizedCrop.square(16, 1, 1, 1, 1, Interpolation.BILINEAR).apply(in);
    for (int y = 2; y < 14; y++) {
      for (int x = 2; x < 14; x++) {
        assertEquals(0.5f, at(out, 0, 0, y, x), 0.02f);
      }
    }
  }

  @Test
  void resizedCropIsDeterministicUnderASeed() {
    ImageBatch in = uniform(6, 3, 24, 24, 12);
    RandomResizedCrop crop = RandomResizedCrop.square(16, 0.3, 1, 0.7, 1.4,
        Interpolation.BICUBIC);
    assertArrayEquals(crop.apply(replay(in, 3)).data(), crop.apply(replay(in, 3)).data());
    assertFalse(Arrays.equals(crop.apply(replay(in, 3)).data(), crop.apply(replay(in, 4)).data()));
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
}
