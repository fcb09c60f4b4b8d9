package dev.contrastive.augment.transform;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every option record rejects out-of-range values with a message naming the field and range. */
class OptionValidationTest {

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("flip.p must be in [0, 1]", (Executable) () -> new HorizontalFlip(1.5)),
                Arguments.of("flip.p must be in [0, 1]", (Executable) () -> new HorizontalFlip(Double.NaN)),
                Arguments.of("translate.maxShift must be >= 0", (Executable) () -> new RandomTranslate(-1, 0.5)),
                Arguments.of("translate.p must be in [0, 1]", (Executable) () -> new RandomTranslate(4, -0.1)),
                Arguments.of("crop.height must be >= 1", (Executable) () -> RandomResizedCrop.builder()
                        .height(0)
                        .width(8)
                        .scaleMin(0.3)
                        .scaleMax(1)
                        .ratioMin(0.7)
                        .ratioMax(1.4)
                        .interpolation(Interpolation.BILINEAR)
                        .build()),
                Arguments.of("crop.scaleMin must be in (0, 1]", (Executable) () -> RandomResizedCrop.builder()
                        .size(8)
                        .scaleMin(0)
                        .scaleMax(1)
                        .ratioMin(0.7)
                        .ratioMax(1.4)
                        .interpolation(Interpolation.BILINEAR)
                        .build()),
                Arguments.of("crop.scaleMax must be in [0.5, 1.0]", (Executable) () -> RandomResizedCrop.builder()
                        .size(8)
                        .scaleMin(0.5)
                        .scaleMax(0.4)
                        .ratioMin(0.7)
                        .ratioMax(1.4)
                        .interpolation(Interpolation.BILINEAR)
                        .build()),
                Arguments.of("crop.ratioMax must be in [ratioMin = 1.4", (Executable) () -> RandomResizedCrop.builder()
                        .size(8)
                        .scaleMin(0.3)
                        .scaleMax(1)
                        .ratioMin(1.4)
                        .ratioMax(0.7)
                        .interpolation(Interpolation.BILINEAR)
                        .build()),
                Arguments.of(
                        "crop.interpolation must be BILINEAR or BICUBIC", (Executable) () -> RandomResizedCrop.builder()
                                .size(8)
                                .scaleMin(0.3)
                                .scaleMax(1)
                                .ratioMin(0.7)
                                .ratioMax(1.4)
                                .interpolation(null)
                                .build()),
                Arguments.of("jitter.brightness must be in [0.0, 1000000.0]", (Executable) () -> ColorJitter.builder()
                        .brightness(-0.1)
                        .contrast(0)
                        .saturation(0)
                        .hue(0)
                        .p(1)
                        .build()),
                Arguments.of("jitter.hue must be in [0.0, 0.5]", (Executable) () -> ColorJitter.builder()
                        .brightness(0)
                        .contrast(0)
                        .saturation(0)
                        .hue(0.6)
                        .p(1)
                        .build()),
                Arguments.of("jitter.p must be in [0, 1]", (Executable) () -> ColorJitter.builder()
                        .brightness(0)
                        .contrast(0)
                        .saturation(0)
                        .hue(0)
                        .p(2)
                        .build()),
                Arguments.of("grayscale.p must be in [0, 1]", (Executable) () -> new RandomGrayscale(-1)),
                Arguments.of(
                        "blur.kernelSize must be odd and in [1, 255]", (Executable) () -> new GaussianBlur(4, 1, 2, 1)),
                Arguments.of("blur.sigmaMax must be in [2.0, 1000.0]", (Executable) () -> new GaussianBlur(5, 2, 1, 1)),
                Arguments.of("colordrop.keep must be in [1, 3]", (Executable) () -> new ColorDrop(0, 0f, 1)),
                Arguments.of("colordrop.fill must be finite", (Executable) () -> new ColorDrop(1, Float.NaN, 1)),
                Arguments.of("normalize.std must have 3 values", (Executable)
                        () -> new Normalize(new float[3], new float[1])),
                Arguments.of("normalize.std[1] must be > 0", (Executable)
                        () -> new Normalize(new float[2], new float[] {1, 0})),
                Arguments.of("pad.amount must be in [0.0, 4096.0]", (Executable) () -> new Pad(-1, 0f)),
                Arguments.of("patchify.stride must be in [1.0, 8.0]", (Executable)
                        () -> new Patchify(7, 8, 9, Compose.of())),
                Arguments.of("patchify.perPatch must not be null", (Executable) () -> new Patchify(7, 8, 4, null)),
                Arguments.of("resize.size must be >= 1", (Executable) () -> new Resize(0, Interpolation.BICUBIC)),
                Arguments.of(
                        "resize.interpolation must be BILINEAR or BICUBIC", (Executable) () -> new Resize(70, null)),
                Arguments.of("centercrop.size must be >= 1", (Executable) () -> new CenterCrop(0)),
                Arguments.of("centercrop.size 64 needs images of at least 64 x 64, got 3 x 70 x 60", (Executable)
                        () -> new CenterCrop(64).outputShape(ItemShape.image(3, 70, 60))),
                Arguments.of(
                        "preset.name, preset.pairs, preset.normalize and preset.evaluation are required", (Executable)
                                () -> new Preset("p", "", Presets.amdimCifar().pairs(), Presets.CIFAR, null)),
                Arguments.of(
                        "fashionMnistCrop.minScale must be in (0, 1]", (Executable) () -> Presets.fashionMnistCrop(0)),
                Arguments.of("normalize.mean and normalize.std have 3 channels, the images have 1", (Executable)
                        () -> Presets.CIFAR.outputShape(ItemShape.image(1, 4, 4))),
                Arguments.of("shape.patches must be >= 1", (Executable) () -> new ItemShape(0, 1, 1, 1)),
                Arguments.of("batch.data has 3 floats, expected rows * C * H * W = 4", (Executable)
                        () -> new ImageBatch(new float[3], 1, ItemShape.image(1, 2, 2), ImageBatch.streams(0, 1))));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void rejectsWithAMessageNamingFieldAndRange(String message, Executable construct) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construct);
        assertTrue(e.getMessage().startsWith(message), "message: " + e.getMessage());
    }
}
