package dev.contrastive.augment.transform;

import static dev.contrastive.augment.transform.Batches.assertInRange;
import static dev.contrastive.augment.transform.Batches.assertSameShape;
import static dev.contrastive.augment.transform.Batches.at;
import static dev.contrastive.augment.transform.Batches.replay;
import static dev.contrastive.augment.transform.Batches.row;
import static dev.contrastive.augment.transform.Batches.uniform;
import static dev.contrastive.augment.transform.Steps.jitter;
import static dev.contrastive.augment.transform.Steps.resizedCrop;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.contrastive.augment.transform.PairTransform.ViewPair;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Patchify, compose, pairs and the published presets. */
class PatchifyAndPresetsTest {

    @Test
    void patchifyCutsTheGridInRowMajorOrder() {
        ImageBatch in = uniform(2, 3, 32, 32, 1);
        float[] before = in.data().clone();
        ImageBatch source = new ImageBatch(before, 2, in.shape(), ImageBatch.streams(0, 2));
        ImageBatch out = new Patchify(7, 8, 4, Compose.of()).apply(in);
        assertSameShape(new ItemShape(49, 3, 8, 8), out, 2 * 49);
        assertEquals(2, out.images());
        for (int r = 0; r < 2; r++) {
            for (int gy = 0; gy < 7; gy++) {
                for (int gx = 0; gx < 7; gx++) {
                    int patch = r * 49 + gy * 7 + gx;
                    for (int c = 0; c < 3; c++) {
                        for (int y = 0; y < 8; y++) {
                            for (int x = 0; x < 8; x++) {
                                assertEquals(at(source, r, c, gy * 4 + y, gx * 4 + x), at(out, patch, c, y, x));
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void oneWholeImagePatchIsIdentity() {
        ImageBatch in = uniform(3, 3, 8, 8, 11);
        float[] before = in.data().clone();
        ImageBatch out = new Patchify(1, 8, 8, Compose.of()).apply(in);
        assertSameShape(ItemShape.image(3, 8, 8), out, 3);
        assertArrayEquals(before, out.data());
    }

    @Test
    void patchifyRejectsImagesTheGridDoesNotCover() {
        Patchify patchify = new Patchify(7, 8, 4, Compose.of());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> patchify.outputShape(ItemShape.image(3, 28, 28)));
        assertTrue(e.getMessage().contains("cover 32 x 32"), e.getMessage());
    }

    @Test
    void patchesAreAugmentedIndependentlyAndReproducibly() {
        ImageBatch in = uniform(3, 3, 16, 16, 2);
        Patchify patchify = new Patchify(3, 8, 4, new HorizontalFlip(0.5));
        ImageBatch plain = new Patchify(3, 8, 4, Compose.of()).apply(replay(in, 5));
        ImageBatch flipped = patchify.apply(replay(in, 5));
        int changed = 0;
        for (int p = 0; p < plain.rows(); p++) {
            if (!Arrays.equals(row(plain, p), row(flipped, p))) {
                changed++;
            }
        }
        assertTrue(changed > 5 && changed < 22, "flipped " + changed + " of 27 patches");
        assertArrayEquals(flipped.data(), patchify.apply(replay(in, 5)).data());
    }

    @Test
    void composeRunsStepsInOrderAndEmptyIsIdentity() {
        ImageBatch in = uniform(2, 3, 4, 4, 3);
        float[] before = in.data().clone();
        assertArrayEquals(before, Compose.of().apply(in).data());
        Compose pipeline = Compose.of(new Pad(1, 0f), new Patchify(2, 4, 2, Compose.of()));
        assertEquals(new ItemShape(4, 3, 4, 4), pipeline.outputShape(ItemShape.image(3, 4, 4)));
        assertSameShape(new ItemShape(4, 3, 4, 4), pipeline.apply(uniform(2, 3, 4, 4, 3)), 8);
    }

    @Test
    void sharedFlipIsInheritedByBothViewsAndIndependentFlipsDiffer() {
        ImageBatch in = uniform(40, 3, 4, 6, 4);
        float[] before = in.data().clone();
        ViewPair shared =
                PairTransform.symmetric(new HorizontalFlip(0.5), Compose.of()).apply(replay(in, 1));
        assertArrayEquals(shared.a().data(), shared.b().data());
        assertFalse(Arrays.equals(before, shared.a().data()), "some rows flipped");

        ViewPair independent =
                PairTransform.symmetric(Compose.of(), new HorizontalFlip(0.5)).apply(replay(in, 1));
        int differ = 0;
        for (int r = 0; r < 40; r++) {
            if (!Arrays.equals(row(independent.a(), r), row(independent.b(), r))) {
                differ++;
            }
        }
        // Views differ when exactly one flips: Binomial(40, 0.5).
        assertTrue(differ > 8 && differ < 32, "views differ in " + differ + " of 40 rows");
    }

    @Test
    void pairRejectsViewsOfDifferentShapes() {
        PairTransform pairs = new PairTransform(Compose.of(), new Pad(1, 0f), Compose.of());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> pairs.outputShape(ItemShape.image(1, 4, 4)));
        assertTrue(e.getMessage().contains("pair.viewA"), e.getMessage());
    }

    /** Each preset with the images it is published for and the views it must make. */
    static Object[][] presets() {
        return new Object[][] {
            {"amdim-cifar", ItemShape.image(3, 32, 32), ItemShape.image(3, 32, 32)},
            {"amdim-stl", ItemShape.image(3, 96, 96), ItemShape.image(3, 64, 64)},
            {"amdim-imagenet", ItemShape.image(3, 160, 140), ItemShape.image(3, 128, 128)},
            {"cpc-cifar", ItemShape.image(3, 32, 32), new ItemShape(49, 3, 8, 8)},
            {"cpc-stl", ItemShape.image(3, 96, 96), new ItemShape(49, 3, 16, 16)},
            {"yadim-cifar", ItemShape.image(3, 32, 32), ItemShape.image(3, 32, 32)},
            {"yadim-stl", ItemShape.image(3, 96, 96), ItemShape.image(3, 64, 64)},
            {"simclr-cifar", ItemShape.image(3, 32, 32), ItemShape.image(3, 32, 32)},
            {"simclr-stl", ItemShape.image(3, 96, 96), ItemShape.image(3, 64, 64)},
            {"fashion-mnist", ItemShape.image(1, 28, 28), ItemShape.image(1, 32, 32)},
            {"fashion-mnist-crop", ItemShape.image(1, 28, 28), ItemShape.image(1, 32, 32)},
            {"fashion-mnist-patches", ItemShape.image(1, 28, 28), new ItemShape(49, 1, 8, 8)},
        };
    }

    @ParameterizedTest
    @MethodSource("presets")
    void presetMakesItsViewShapeReproduciblyWithFiniteValues(String name, ItemShape input, ItemShape expected) {
        Preset preset = Presets.byName(name);
        assertEquals(name, preset.name());
        assertEquals(expected, preset.pairs().outputShape(input));
        ImageBatch in = uniform(4, input.channels(), input.height(), input.width(), 6);
        ViewPair views = preset.pairs().apply(replay(in, 7));
        assertSameShape(expected, views.a(), 4 * expected.patches());
        assertSameShape(expected, views.b(), 4 * expected.patches());
        for (float v : views.a().data()) {
            assertTrue(Float.isFinite(v));
        }
        assertFalse(Arrays.equals(views.a().data(), views.b().data()), "views differ");
        ViewPair again = preset.pairs().apply(replay(in, 7));
        assertArrayEquals(views.a().data(), again.a().data());
        assertArrayEquals(views.b().data(), again.b().data());
        assertFalse(Arrays.equals(
                views.a().data(), preset.pairs().apply(replay(in, 8)).a().data()));
    }

    @ParameterizedTest
    @MethodSource("presets")
    void presetViewsAreNormalisedPixelsOfZeroToOne(String name, ItemShape input, ItemShape expected) {
        // Every step before the normalisation keeps pixels in [0, 1] and colour drop fills with the
        // normalised mean, so undoing the normalisation must land in [0, 1].
        Preset preset = Presets.byName(name);
        ImageBatch in = uniform(8, input.channels(), input.height(), input.width(), 17);
        ViewPair views = preset.pairs().apply(in);
        assertInRange(preset.normalize().inverse().apply(views.a()), -1e-5f, 1 + 1e-5f);
        assertInRange(preset.normalize().inverse().apply(views.b()), -1e-5f, 1 + 1e-5f);
    }

    /**
     * The whole image each view is made from: the view itself, or for patch presets the image the
     * patch grid is cut from, what the pipeline holds when it reaches its {@link Patchify}.
     */
    private static ItemShape wholeViewShape(Preset preset, ItemShape input) {
        ItemShape current = preset.pairs().shared().outputShape(input);
        for (Transform step : ((Compose) preset.pairs().viewA()).steps()) {
            if (step instanceof Patchify) {
                return current;
            }
            current = step.outputShape(current);
        }
        return current;
    }

    @ParameterizedTest
    @MethodSource("presets")
    void evaluationIsDeterministicAndMakesTheTrainingViewsWholeShape(String name, ItemShape input, ItemShape expected) {
        Preset preset = Presets.byName(name);
        ItemShape whole = wholeViewShape(preset, input);
        assertEquals(1, whole.patches());
        if (expected.patches() == 1) {
            assertEquals(expected, whole);
        } else {
            Patchify grid = (Patchify) ((Compose) preset.pairs().viewA())
                    .steps().stream()
                            .filter(Patchify.class::isInstance)
                            .findFirst()
                            .orElseThrow();
            assertEquals(grid.imageSize(), whole.height());
            assertEquals(grid.imageSize(), whole.width());
        }
        assertEquals(whole, preset.evaluation().outputShape(input));

        ImageBatch in = uniform(3, input.channels(), input.height(), input.width(), 18);
        ImageBatch first = preset.evaluation().apply(replay(in, 1));
        ImageBatch second = preset.evaluation().apply(replay(in, 2));
        assertSameShape(whole, first, 3);
        assertArrayEquals(first.data(), second.data());
        assertInRange(preset.normalize().inverse().apply(first), -1e-5f, 1 + 1e-5f);
    }

    @Test
    void evaluationTransformsAreTheReferenceTestTransforms() {
        Transform stl = Compose.of(new Resize(70, Interpolation.BICUBIC), new CenterCrop(64), Presets.STL10);
        for (String name : new String[] {"amdim-stl", "cpc-stl", "yadim-stl", "simclr-stl"}) {
            assertEquals(stl, Presets.byName(name).evaluation(), name);
        }
        for (String name : new String[] {"amdim-cifar", "cpc-cifar", "yadim-cifar", "simclr-cifar"}) {
            assertEquals(Presets.CIFAR, Presets.byName(name).evaluation(), name);
        }
        assertEquals(
                Compose.of(new Resize(146, Interpolation.BICUBIC), new CenterCrop(128), Presets.IMAGENET),
                Presets.amdimImageNet().evaluation());
        // What FeatureExtractor.fashionMnist has always run: the pad, then the preset's normalisation.
        Transform fashion = Compose.of(new Pad(2, 0f), Presets.fashionMnist().normalize());
        for (String name : new String[] {"fashion-mnist", "fashion-mnist-crop", "fashion-mnist-patches"}) {
            assertEquals(fashion, Presets.byName(name).evaluation(), name);
            assertEquals(
                    Presets.fashionMnist().normalize(), Presets.byName(name).normalize(), name);
        }
    }

    @Test
    void stlEvaluationIsTheCentreOfTheResizedImage() {
        // Resize 96 -> 70 then the central 64 (offset 3): the same pixels as resizing and cropping by
        // hand, then normalising.
        ImageBatch in = uniform(2, 3, 96, 96, 19);
        ImageBatch resized = new Resize(70, Interpolation.BICUBIC).apply(replay(in, 0));
        ImageBatch out = Presets.amdimStl().evaluation().apply(replay(in, 0));
        float[] mean = Presets.STL10.mean();
        float[] std = Presets.STL10.std();
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 64; y += 7) {
                    for (int x = 0; x < 64; x += 5) {
                        assertEquals((at(resized, r, c, y + 3, x + 3) - mean[c]) / std[c], at(out, r, c, y, x), 1e-5f);
                    }
                }
            }
        }
    }

    @Test
    void presetNamesAreAllKnownAndAnUnknownOneListsThem() {
        assertEquals(
                List.of(
                        "amdim-cifar",
                        "amdim-stl",
                        "amdim-imagenet",
                        "cpc-cifar",
                        "cpc-stl",
                        "yadim-cifar",
                        "yadim-stl",
                        "simclr-cifar",
                        "simclr-stl",
                        "fashion-mnist",
                        "fashion-mnist-crop",
                        "fashion-mnist-patches"),
                Presets.names());
        for (String name : Presets.names()) {
            assertEquals(name, Presets.byName(name).name());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Presets.byName("simclr"));
        assertTrue(e.getMessage().contains("amdim-cifar") && e.getMessage().contains("'simclr'"), e.getMessage());
    }

    @Test
    void cpcPatchesKeepOneColourChannelEach() {
        ViewPair views = Presets.cpcCifar().pairs().apply(uniform(2, 3, 32, 32, 9));
        ImageBatch a = views.a();
        for (int p = 0; p < a.rows(); p++) {
            int zeroChannels = 0;
            for (int c = 0; c < 3; c++) {
                int from = a.offset(p) + c * 64;
                boolean allZero = true;
                for (int i = from; i < from + 64; i++) {
                    allZero &= a.data()[i] == 0f;
                }
                zeroChannels += allZero ? 1 : 0;
            }
            assertEquals(2, zeroChannels, "patch " + p);
        }
    }

    @Test
    void amdimCifarViewsAreNormalised() {
        // Uniform [0, 1) pixels: mean 0.5 and std 0.29 before CIFAR's normalisation (mean about 0.47,
        // std about 0.25), so about 0.1 and 1.2 after it, less what jitter and grayscale take away.
        ViewPair views = Presets.amdimCifar().pairs().apply(uniform(64, 3, 32, 32, 10));
        double sum = 0;
        double sq = 0;
        for (float v : views.a().data()) {
            sum += v;
            sq += v * v;
        }
        int n = views.a().data().length;
        double mean = sum / n;
        double std = Math.sqrt(sq / n - mean * mean);
        assertTrue(Math.abs(mean) < 0.3, "mean " + mean);
        assertTrue(std > 0.6 && std < 1.6, "std " + std);
    }

    @Test
    void fashionNormalisationMatchesThePaddedImages() {
        // Images with exactly the published mean and std, padded: the normalised result is 0 / 1.
        Normalize n = Presets.fashionNormalize(28, 32);
        double f = 784.0 / 1024.0;
        double paddedMean = f * Presets.FASHION_MEAN;
        double paddedSquare = f * (Math.pow(Presets.FASHION_STD, 2) + Math.pow(Presets.FASHION_MEAN, 2));
        assertEquals(paddedMean, n.mean()[0], 1e-6);
        assertEquals(paddedSquare - paddedMean * paddedMean, Math.pow(n.std()[0], 2), 1e-6);
    }

    @Test
    void presetsAgreeWithTheReferenceParameters() {
        Map<String, Preset> p = Map.of("cifar", Presets.amdimCifar(), "stl", Presets.amdimStl());
        Compose cifarView = (Compose) p.get("cifar").pairs().viewA();
        assertEquals(new RandomTranslate(4, 0.8), cifarView.steps().get(0));
        assertEquals(jitter(0.4, 0.4, 0.4, 0.2, 0.8), cifarView.steps().get(1));
        assertEquals(new RandomGrayscale(0.25), cifarView.steps().get(2));
        assertEquals(new HorizontalFlip(0.5), p.get("cifar").pairs().shared());
        Compose stlView = (Compose) p.get("stl").pairs().viewA();
        assertEquals(
                resizedCrop(64, 0.3, 1.0, 0.7, 1.4, Interpolation.BICUBIC),
                stlView.steps().get(0));
    }

    /** Each SimCLR preset with the view its reference parameters make; neither shares a step. */
    static Stream<Arguments> simclrViews() {
        return Stream.of(
                arguments(
                        Presets.simclrCifar(),
                        Compose.of(
                                resizedCrop(32, 0.08, 1.0, 0.75, 4.0 / 3, Interpolation.BILINEAR),
                                new HorizontalFlip(0.5),
                                jitter(0.4, 0.4, 0.4, 0.1, 0.8),
                                new RandomGrayscale(0.2),
                                Presets.CIFAR)),
                arguments(
                        Presets.simclrStl(),
                        Compose.of(
                                resizedCrop(64, 0.08, 1.0, 0.75, 4.0 / 3, Interpolation.BILINEAR),
                                new HorizontalFlip(0.5),
                                jitter(0.8, 0.8, 0.8, 0.2, 0.8),
                                new RandomGrayscale(0.2),
                                new GaussianBlur(7, 0.1, 2.0, 0.5),
                                Presets.STL10)));
    }

    @ParameterizedTest
    @MethodSource("simclrViews")
    void simclrPresetsAgreeWithTheReferenceParameters(Preset preset, Compose view) {
        PairTransform pairs = preset.pairs();
        assertEquals(Compose.of(), pairs.shared());
        assertEquals(view, pairs.viewA());
    }

    @Test
    void fashionMnistCropUsesItsMinScaleAndRejectsOneOutsideZeroToOne() {
        Compose named = (Compose) Presets.byName("fashion-mnist-crop").pairs().viewA();
        assertEquals(
                resizedCrop(32, Presets.FASHION_CROP_MIN_SCALE, 1.0, 0.75, 4.0 / 3, Interpolation.BILINEAR),
                named.steps().get(0));
        assertEquals(0.3, Presets.FASHION_CROP_MIN_SCALE);
        assertEquals(
                new Pad(2, 0f), Presets.byName("fashion-mnist-crop").pairs().shared());

        Preset mild = Presets.fashionMnistCrop(0.9);
        assertEquals(
                0.9,
                ((RandomResizedCrop) ((Compose) mild.pairs().viewA()).steps().get(0)).scaleMin());
        assertTrue(mild.summary().contains("scale 0.9-1"), mild.summary());
        assertEquals(ItemShape.image(1, 32, 32), mild.pairs().outputShape(ItemShape.image(1, 28, 28)));
        assertEquals(
                ItemShape.image(1, 32, 32),
                Presets.fashionMnistCrop(1).pairs().outputShape(ItemShape.image(1, 28, 28)));

        for (double bad : new double[] {0, -0.1, 1.01, Double.NaN}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> Presets.fashionMnistCrop(bad));
            assertEquals("fashionMnistCrop.minScale must be in (0, 1], got " + bad, e.getMessage());
        }
    }

    @Test
    void fashionMnistPatchesCutThePaddedImageIntoCpcCifarsGrid() {
        PairTransform pairs = Presets.fashionMnistPatches().pairs();
        assertEquals(Compose.of(new Pad(2, 0f), new HorizontalFlip(0.5)), pairs.shared());
        Compose view = (Compose) pairs.viewA();
        assertEquals(new RandomTranslate(4, 0.8), view.steps().get(0));
        Patchify grid = (Patchify) view.steps().get(1);
        assertEquals(
                new Patchify(
                        7,
                        8,
                        4,
                        Compose.of(
                                new HorizontalFlip(0.5),
                                jitter(0.4, 0.4, 0, 0, 0.8),
                                Presets.fashionMnist().normalize())),
                grid);
    }
}
