package dev.contrastive.augment.transform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The published augmentation pipelines, step for step as the reference code runs them, and
 * grayscale pipelines for Fashion-MNIST adapted from them. The sources:
 *
 * <ul>
 *   <li>AMDIM: Bachman, Hjelm and Buchwalter, "Learning Representations by Maximizing Mutual
 *       Information Across Views", NeurIPS 2019 (arXiv:1906.00910), and its reference code,
 *       amdim-public {@code datasets.py};
 *   <li>CPC v2: Henaff et al., "Data-Efficient Image Recognition with Contrastive Predictive
 *       Coding", 2019 (arXiv:1905.09272);
 *   <li>YADIM: Falcon and Cho, "A Framework For Contrastive Self-Supervised Learning And Designing
 *       A New Approach", 2020 (arXiv:2009.00104);
 *   <li>SimCLR: Chen, Kornblith, Norouzi and Hinton, "A Simple Framework for Contrastive Learning
 *       of Visual Representations", ICML 2020 (arXiv:2002.05709), and its reference code,
 *       google-research/simclr {@code data_util.py}.
 * </ul>
 *
 * <p>AMDIM's order comes from amdim-public {@code datasets.py}: the image is flipped once (p = 0.5)
 * and both views inherit the flip; then each view independently gets the spatial step (CIFAR:
 * random translate with reflect padding 4, p = 0.8; STL-10 and ImageNet: RandomResizedCrop scale
 * 0.3-1, ratio 0.7-1.4, bicubic), colour jitter (0.4, 0.4, 0.4, hue 0.2) with p = 0.8, random
 * grayscale, and normalisation with the dataset's statistics. Grayscale is p = 0.25 for CIFAR and
 * STL-10 and, in the reference code, p = 0.2 for ImageNet, which is what {@link #amdimImageNet()}
 * uses.
 *
 * <p>Every preset's {@link Preset#evaluation() evaluation} transform is amdim-public's test
 * transform for its dataset, whatever the method, so that probes compare encoders on the same
 * inputs: CIFAR normalisation alone; on STL-10 Resize(70, bicubic), CenterCrop(64) and STL-10
 * normalisation; on ImageNet Resize(146, bicubic), CenterCrop(128) and ImageNet normalisation; on
 * Fashion-MNIST the pad to 32 x 32 and its normalisation. Patch presets (CPC) evaluate on the whole
 * image their patch grid covers: the model cuts its own patches from it.
 */
public final class Presets {

    /** CIFAR-10 statistics, as amdim-public writes them: 0-255 values over 255. */
    public static final Normalize CIFAR = new Normalize(
            new float[] {125.3f / 255, 123.0f / 255, 113.9f / 255},
            new float[] {63.0f / 255, 62.1f / 255, 66.7f / 255});

    /** STL-10 statistics from amdim-public. */
    public static final Normalize STL10 =
            new Normalize(new float[] {0.43f, 0.42f, 0.39f}, new float[] {0.27f, 0.26f, 0.27f});

    /** ImageNet statistics from amdim-public (torchvision's). */
    public static final Normalize IMAGENET =
            new Normalize(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    /** Published Fashion-MNIST training-set pixel mean and standard deviation, on [0, 1]. */
    static final double FASHION_MEAN = 0.2860;

    static final double FASHION_STD = 0.3530;

    /**
     * Probability of YADIM's colour drop. Falcon and Cho (2020) build YADIM's pipeline by merging the
     * AMDIM and CPC pipelines but give no probability for the step CPC adds; this is our choice, the
     * same rate as grayscale, the milder colour removal it sits next to.
     */
    public static final double YADIM_COLOR_DROP_P = 0.25;

    /**
     * The smallest crop area fraction of the {@code fashion-mnist-crop} preset, see {@link
     * #fashionMnistCrop(double)}.
     */
    public static final double FASHION_CROP_MIN_SCALE = 0.3;

    private static final Map<String, Supplier<Preset>> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("amdim-cifar", Presets::amdimCifar);
        BY_NAME.put("amdim-stl", Presets::amdimStl);
        BY_NAME.put("amdim-imagenet", Presets::amdimImageNet);
        BY_NAME.put("cpc-cifar", Presets::cpcCifar);
        BY_NAME.put("cpc-stl", Presets::cpcStl);
        BY_NAME.put("yadim-cifar", Presets::yadimCifar);
        BY_NAME.put("yadim-stl", Presets::yadimStl);
        BY_NAME.put("simclr-cifar", Presets::simclrCifar);
        BY_NAME.put("simclr-stl", Presets::simclrStl);
        BY_NAME.put("fashion-mnist", Presets::fashionMnist);
        BY_NAME.put("fashion-mnist-crop", () -> fashionMnistCrop(FASHION_CROP_MIN_SCALE));
        BY_NAME.put("fashion-mnist-patches", Presets::fashionMnistPatches);
    }

    private Presets() {}

    /** Every preset name, in a stable order. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    /**
     * The preset called {@code name}.
     *
     * @throws IllegalArgumentException naming the known presets, if there is none of that name
     */
    public static Preset byName(String name) {
        Supplier<Preset> preset = BY_NAME.get(name);
        if (preset == null) {
            throw new IllegalArgumentException(
                    "preset must be one of " + String.join(", ", names()) + ", got '" + name + "'");
        }
        return preset.get();
    }

    private static ColorJitter amdimJitter() {
        return ColorJitter.builder()
                .brightness(0.4)
                .contrast(0.4)
                .saturation(0.4)
                .hue(0.2)
                .p(0.8)
                .build();
    }

    private static Transform amdimFlip() {
        return new HorizontalFlip(0.5);
    }

    private static Transform stlCrop(int size) {
        return RandomResizedCrop.builder()
                .size(size)
                .scaleMin(0.3)
                .scaleMax(1.0)
                .ratioMin(0.7)
                .ratioMax(1.4)
                .interpolation(Interpolation.BICUBIC)
                .build();
    }

    /** amdim-public's STL-10 test transform: 96 x 96 to 70 x 70, the central 64 x 64, normalised. */
    private static Transform stlEvaluation() {
        return Compose.of(new Resize(70, Interpolation.BICUBIC), new CenterCrop(64), STL10);
    }

    /**
     * Brightness and contrast jitter 0.4 with p = 0.8, AMDIM's strengths (and SimCLR's at colour
     * strength 0.5) without saturation and hue, which do nothing to one gray channel.
     */
    private static ColorJitter fashionJitter() {
        return ColorJitter.builder().brightness(0.4).contrast(0.4).p(0.8).build();
    }

    /** The {@code fashion-mnist} pad to 32 x 32 and normalisation, without the random steps. */
    private static Transform fashionEvaluation(Normalize normalize) {
        return Compose.of(new Pad(2, 0f), normalize);
    }

    /** The shared stage of {@link #fashionMnist()}: the pad to 32 x 32 and AMDIM's flip. */
    private static Transform fashionPadAndFlip() {
        return Compose.of(new Pad(2, 0f), amdimFlip());
    }

    /**
     * A Fashion-MNIST preset: {@code shared}, then per view what {@code view} makes of the padded
     * images' normalisation, {@link #fashionNormalize(int, int)}; evaluation the pad and that
     * normalisation, so that every Fashion-MNIST preset evaluates alike.
     */
    private static Preset fashionPreset(
            String name, String summary, Transform shared, Function<Normalize, Transform> view) {
        Normalize normalize = fashionNormalize(28, 32);
        return new Preset(
                name,
                summary,
                PairTransform.symmetric(shared, view.apply(normalize)),
                normalize,
                fashionEvaluation(normalize));
    }

    /**
     * AMDIM's recipe, which YADIM extends: the shared flip; per view {@code spatial}, {@link
     * #amdimJitter()}, grayscale with p = {@code grayscale}, {@code normalize}, then the {@code
     * extra} steps.
     */
    private static Preset amdimRecipe(
            String name,
            String summary,
            Transform spatial,
            double grayscale,
            Normalize normalize,
            Transform evaluation,
            Transform... extra) {
        List<Transform> view =
                new ArrayList<>(List.of(spatial, amdimJitter(), new RandomGrayscale(grayscale), normalize));
        view.addAll(List.of(extra));
        return new Preset(
                name, summary, PairTransform.symmetric(amdimFlip(), new Compose(view)), normalize, evaluation);
    }

    /**
     * AMDIM on CIFAR-10/100 (32 x 32 in and out): shared flip; per view translate (reflect, 4 px, p =
     * 0.8), jitter, grayscale p = 0.25, CIFAR normalisation.
     */
    public static Preset amdimCifar() {
        return amdimCifarRecipe("amdim-cifar", "AMDIM CIFAR: flip, translate 4 px, jitter, grayscale");
    }

    /** {@link #amdimCifar()}'s steps, then the {@code extra} steps: the CIFAR presets YADIM shares with AMDIM. */
    private static Preset amdimCifarRecipe(String name, String summary, Transform... extra) {
        return amdimRecipe(name, summary, new RandomTranslate(4, 0.8), 0.25, CIFAR, CIFAR, extra);
    }

    /**
     * AMDIM on STL-10 (96 x 96 in, 64 x 64 out): shared flip; per view RandomResizedCrop to 64,
     * jitter, grayscale p = 0.25, STL-10 normalisation. Evaluation: Resize(70, bicubic),
     * CenterCrop(64), STL-10 normalisation, the reference's test transform.
     */
    public static Preset amdimStl() {
        return amdimStlRecipe("amdim-stl", "AMDIM STL-10: flip, resized crop to 64, jitter, grayscale");
    }

    /** {@link #amdimStl()}'s steps, then the {@code extra} steps: the STL-10 presets YADIM shares with AMDIM. */
    private static Preset amdimStlRecipe(String name, String summary, Transform... extra) {
        return amdimRecipe(name, summary, stlCrop(64), 0.25, STL10, stlEvaluation(), extra);
    }

    /**
     * AMDIM on ImageNet (128 x 128 out): shared flip; per view RandomResizedCrop to 128, jitter,
     * grayscale p = 0.2 (the reference code's value for ImageNet), ImageNet normalisation.
     * Evaluation: Resize(146, bicubic), CenterCrop(128), ImageNet normalisation, the reference's test
     * transform.
     */
    public static Preset amdimImageNet() {
        return amdimRecipe(
                "amdim-imagenet",
                "AMDIM ImageNet: flip, resized crop to 128, jitter, grayscale",
                stlCrop(128),
                0.2,
                IMAGENET,
                Compose.of(new Resize(146, Interpolation.BICUBIC), new CenterCrop(128), IMAGENET));
    }

    /**
     * Per-patch augmentation of CPC v2: each patch is flipped (p = 0.5) and jittered on its own, then
     * normalised, then keeps one of its three colour channels; the dropped ones are set to 0, the
     * channel's dataset mean after normalisation. CPC v2 drops colour in every patch, so p = 1.
     */
    private static Transform cpcPerPatch(Normalize normalize) {
        return Compose.of(new HorizontalFlip(0.5), amdimJitter(), normalize, new ColorDrop(1, 0f, 1.0));
    }

    /**
     * CPC v2 on CIFAR (32 x 32): whole-image shared flip and per-view translate (4 px, p = 0.8) as in
     * the Lightning Bolts reproduction, then a 7 x 7 grid of 8 x 8 patches with stride 4, each
     * augmented on its own (flip, jitter, colour drop). Evaluation gives whole 32 x 32 images,
     * CIFAR-normalised: the CPC model cuts its own patch grid from them.
     */
    public static Preset cpcCifar() {
        return new Preset(
                "cpc-cifar",
                "CPC v2 CIFAR: 7x7 patches of 8, per-patch flip/jitter/colour drop",
                PairTransform.symmetric(
                        amdimFlip(),
                        Compose.of(new RandomTranslate(4, 0.8), new Patchify(7, 8, 4, cpcPerPatch(CIFAR)))),
                CIFAR,
                CIFAR);
    }

    /**
     * CPC v2 on STL-10 (96 x 96 in): shared flip, per-view RandomResizedCrop to 64, then a 7 x 7 grid
     * of 16 x 16 patches with stride 8, each augmented on its own. Evaluation gives whole 64 x 64
     * images, as the other STL-10 presets.
     */
    public static Preset cpcStl() {
        return new Preset(
                "cpc-stl",
                "CPC v2 STL-10: crop to 64, 7x7 patches of 16, per-patch augmentation",
                PairTransform.symmetric(
                        amdimFlip(), Compose.of(stlCrop(64), new Patchify(7, 16, 8, cpcPerPatch(STL10)))),
                STL10,
                stlEvaluation());
    }

    /**
     * YADIM on CIFAR: the union of the AMDIM and CPC pipelines on whole images (YADIM compares whole
     * feature maps, not patches): AMDIM CIFAR's steps, then CPC's colour drop (keep 1 of 3, p =
     * {@link #YADIM_COLOR_DROP_P}) after normalisation. CPC's other steps, flips and jitter, AMDIM
     * has.
     */
    public static Preset yadimCifar() {
        return amdimCifarRecipe(
                "yadim-cifar",
                "YADIM CIFAR: AMDIM CIFAR plus CPC colour drop",
                new ColorDrop(1, 0f, YADIM_COLOR_DROP_P));
    }

    /** YADIM on STL-10: AMDIM STL-10's steps, then CPC's colour drop, as {@link #yadimCifar()}. */
    public static Preset yadimStl() {
        return amdimStlRecipe(
                "yadim-stl",
                "YADIM STL-10: AMDIM STL-10 plus CPC colour drop",
                new ColorDrop(1, 0f, YADIM_COLOR_DROP_P));
    }

    /**
     * SimCLR's crop as torchvision runs it, see {@link #simclrCifar()}: area scale [{@code minScale},
     * 1], ratio 3/4-4/3, bilinear.
     */
    private static Transform simclrCrop(int size, double minScale) {
        return RandomResizedCrop.builder()
                .size(size)
                .scaleMin(minScale)
                .scaleMax(1.0)
                .ratioMin(3.0 / 4)
                .ratioMax(4.0 / 3)
                .interpolation(Interpolation.BILINEAR)
                .build();
    }

    /**
     * SimCLR's colour jitter at strength s (reference {@code color_jitter}, applied with p = 0.8 by
     * {@code random_color_jitter}, which then grays with p = 0.2): (0.8 s, 0.8 s, 0.8 s, hue 0.2 s)
     * in random order. Brightness is multiplicative, as the reference's default {@code simclrv2}
     * brightness; the other three follow torchvision, as {@link ColorJitter} says.
     */
    private static ColorJitter simclrJitter(double strength) {
        return ColorJitter.builder()
                .brightness(0.8 * strength)
                .contrast(0.8 * strength)
                .saturation(0.8 * strength)
                .hue(0.2 * strength)
                .p(0.8)
                .build();
    }

    /**
     * SimCLR on CIFAR-10 (32 x 32 in and out), as Chen et al. (2020) appendix B.9 and the reference
     * code's CIFAR-10 command ({@code --color_jitter_strength=0.5 --use_blur=False}) run it: per
     * view, independently (nothing shared: the reference preprocesses each view from the raw image),
     * RandomResizedCrop to 32 (scale 0.08-1, ratio 3/4-4/3), horizontal flip p = 0.5, colour jitter
     * at strength 0.5 i.e. (0.4, 0.4, 0.4, hue 0.1) with p = 0.8, grayscale p = 0.2, no blur.
     *
     * <p>Deviations: the crop's scale and ratio are the reference {@code crop_and_resize}'s, but it
     * runs as torchvision's RandomResizedCrop with its default bilinear filter, as the PyTorch
     * reproductions run it; the reference draws up to 100 boxes with TensorFlow's {@code
     * sample_distorted_bounding_box} (the whole image when none fits) and resizes bicubic. The views
     * end with CIFAR normalisation, as every preset here, so that encoders and probes see the same
     * input scale whatever the method; the reference feeds [0, 1] pixels. Evaluation: CIFAR
     * normalisation alone; the reference also leaves images of 32 px or less uncropped at test time.
     */
    public static Preset simclrCifar() {
        return new Preset(
                "simclr-cifar",
                "SimCLR CIFAR: resized crop 0.08-1, flip, jitter strength 0.5, grayscale",
                PairTransform.symmetric(
                        Compose.of(),
                        Compose.of(
                                simclrCrop(32, 0.08),
                                new HorizontalFlip(0.5),
                                simclrJitter(0.5),
                                new RandomGrayscale(0.2),
                                CIFAR)),
                CIFAR,
                CIFAR);
    }

    /**
     * SimCLR's ImageNet recipe (Chen et al. 2020, appendix A) on STL-10, 96 x 96 in, 64 x 64 out: per
     * view, independently, RandomResizedCrop to 64 (scale 0.08-1, ratio 3/4-4/3, bilinear, as {@link
     * #simclrCifar()}), horizontal flip p = 0.5, colour jitter at strength 1.0 i.e. (0.8, 0.8, 0.8,
     * hue 0.2) with p = 0.8, grayscale p = 0.2, Gaussian blur with p = 0.5, STL-10 normalisation.
     *
     * <p>The blur is the reference's {@code random_blur} at 64 px: its kernel size is a tenth of the
     * side, 64 / 10 = 6, which its {@code gaussian_blur} makes 2 * 3 + 1 = 7 taps; sigma is uniform
     * in [0.1, 2.0] pixels, not scaled with the image, as in the reference. {@link GaussianBlur} pads
     * by reflection, as torchvision does; the reference zero-pads ({@code SAME}).
     *
     * <p>Deviations: SimCLR publishes no STL-10 pretraining; 64 x 64 is the size the other STL-10
     * presets train at, so that the same encoders and evaluation serve all of them. The views end
     * with STL-10 normalisation, see {@link #simclrCifar()}. Evaluation: amdim-public's STL-10 test
     * transform, as the other STL-10 presets, rather than SimCLR's central 87.5% crop resized
     * bicubic, so that probes compare the methods on the same inputs.
     */
    public static Preset simclrStl() {
        return new Preset(
                "simclr-stl",
                "SimCLR STL-10: resized crop 0.08-1 to 64, flip, jitter strength 1, grayscale, blur",
                PairTransform.symmetric(
                        Compose.of(),
                        Compose.of(
                                simclrCrop(64, 0.08),
                                new HorizontalFlip(0.5),
                                simclrJitter(1.0),
                                new RandomGrayscale(0.2),
                                new GaussianBlur(7, 0.1, 2.0, 0.5),
                                STL10)),
                STL10,
                stlEvaluation());
    }

    /**
     * Fashion-MNIST (28 x 28 gray in, 32 x 32 out), AMDIM CIFAR's recipe adapted to one channel:
     *
     * <ul>
     *   <li>pad 2 px of black (0) on every side, in the shared stage: the 32 x 32 AMDIM encoder's 7 x
     *       7 and 5 x 5 taps need 32 x 32 input, and Fashion-MNIST's background is exactly 0, so the
     *       pad adds background rather than resampling the garment;
     *   <li>shared horizontal flip, p = 0.5: garments are left-right symmetric in kind, so a mirrored
     *       shirt is still a shirt (no vertical flip: upside-down shoes are not in the data);
     *   <li>translate 4 px with reflect padding, p = 0.8, as CIFAR at the same 32 x 32 size; within 2
     *       px the shift only moves the black border, beyond it at most 2 px of garment edge are
     *       mirrored;
     *   <li>jitter brightness 0.4 and contrast 0.4, p = 0.8; saturation and hue are 0 because a gray
     *       image has no colour to change (they would be no-ops);
     *   <li>no random grayscale and no colour drop: the images are already one gray channel;
     *   <li>normalise with the published Fashion-MNIST mean 0.2860 and std 0.3530 carried over to the
     *       padded image (the pad adds pixels of value 0, see {@link #fashionNormalize(int, int)}).
     * </ul>
     *
     * <p>Evaluation: the pad and the normalisation alone.
     */
    public static Preset fashionMnist() {
        return fashionPreset(
                "fashion-mnist",
                "Fashion-MNIST: pad to 32, flip, translate 4 px, brightness/contrast jitter",
                fashionPadAndFlip(),
                normalize -> Compose.of(new RandomTranslate(4, 0.8), fashionJitter(), normalize));
    }

    /**
     * A SimCLR-style pipeline for Fashion-MNIST (28 x 28 gray in, 32 x 32 out), with the crop as the
     * spatial step instead of {@link #fashionMnist()}'s translate:
     *
     * <ul>
     *   <li>pad 2 px of black to 32 x 32 in the shared stage, as {@link #fashionMnist()};
     *   <li>per view RandomResizedCrop to 32 x 32, area scale [{@code minScale}, 1], ratio 3/4-4/3,
     *       bilinear: SimCLR's crop (Chen et al. 2020, section 3 and appendix A) as torchvision runs
     *       it, see {@link #simclrCifar()}. SimCLR uses {@code minScale} 0.08 on ImageNet and CIFAR;
     *       the named preset uses the milder {@link #FASHION_CROP_MIN_SCALE} 0.3 (AMDIM's), because
     *       8% of the padded image is a 9 x 9 pixel box, little of a 28 px garment's shape. That is a
     *       judgement, not a measurement: a recorded sweep may change the default later;
     *   <li>horizontal flip p = 0.5, per view as in SimCLR;
     *   <li>brightness and contrast jitter 0.4 with p = 0.8 (SimCLR's colour strength 0.5 without
     *       saturation and hue); no grayscale and no blur: one gray channel and 28 px of detail;
     *   <li>{@link #fashionMnist()}'s normalisation, so that every Fashion-MNIST preset shares one
     *       evaluation transform. Crops zoom into the garment, so views have less black border than
     *       the padded images the normalisation is computed for and their mean is somewhat above 0.
     * </ul>
     *
     * <p>Evaluation: as {@link #fashionMnist()}, the pad and the normalisation. The preset is named
     * {@code fashion-mnist-crop} whatever {@code minScale} is; its summary gives the scale.
     *
     * @param minScale smallest fraction of the padded image's area a crop keeps, in (0, 1]
     * @throws IllegalArgumentException if {@code minScale} is outside (0, 1]
     */
    public static Preset fashionMnistCrop(double minScale) {
        if (!(minScale > 0 && minScale <= 1)) {
            throw new IllegalArgumentException("fashionMnistCrop.minScale must be in (0, 1], got " + minScale);
        }
        return fashionPreset(
                "fashion-mnist-crop",
                "Fashion-MNIST: pad to 32, resized crop (scale " + minScale + "-1), flip, brightness/contrast jitter",
                new Pad(2, 0f),
                normalize -> Compose.of(simclrCrop(32, minScale), new HorizontalFlip(0.5), fashionJitter(), normalize));
    }

    /**
     * CPC v2's per-patch recipe for Fashion-MNIST (28 x 28 gray in, 49 patches of 1 x 8 x 8 out):
     * {@link #fashionMnist()}'s shared pad to 32 x 32 and flip and per-view translate (4 px, p =
     * 0.8), then {@link #cpcCifar()}'s grid, 7 x 7 patches of 8 x 8 with stride 4, which covers the
     * padded 32 x 32 image exactly. Each patch is flipped (p = 0.5), jittered in brightness and
     * contrast (0.4, p = 0.8) and normalised with the Fashion-MNIST normalisation, on its own. CPC's
     * colour drop is left out: one gray channel has nothing to drop.
     *
     * <p>Evaluation: as {@link #fashionMnist()}, whole padded images; the model cuts its own patches.
     */
    public static Preset fashionMnistPatches() {
        return fashionPreset(
                "fashion-mnist-patches",
                "Fashion-MNIST CPC: pad to 32, 7x7 patches of 8, per-patch flip/brightness/contrast",
                fashionPadAndFlip(),
                normalize -> Compose.of(
                        new RandomTranslate(4, 0.8),
                        new Patchify(7, 8, 4, Compose.of(new HorizontalFlip(0.5), fashionJitter(), normalize))));
    }

    /**
     * Fashion-MNIST's statistics after padding {@code side} x {@code side} images with zeros to
     * {@code padded} x {@code padded}: a fraction f = side^2 / padded^2 of the pixels are the
     * original ones, so mean' = f mean and E'[x^2] = f (std^2 + mean^2).
     */
    static Normalize fashionNormalize(int side, int padded) {
        double f = (double) side * side / ((double) padded * padded);
        double mean = f * FASHION_MEAN;
        double square = f * (FASHION_STD * FASHION_STD + FASHION_MEAN * FASHION_MEAN);
        double std = Math.sqrt(square - mean * mean);
        return new Normalize(new float[] {(float) mean}, new float[] {(float) std});
    }
}
