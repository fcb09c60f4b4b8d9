package dev.contrastive.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.augment.data.DatasetInfo;
import dev.contrastive.augment.pipeline.ProducerOptions;
import dev.contrastive.augment.transform.ColorJitter;
import dev.contrastive.augment.transform.Interpolation;
import dev.contrastive.augment.transform.RandomResizedCrop;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The builders of the options with more than four numbers: defaults, round trips, what must be set.
 */
class OptionBuildersTest {

    @Test
    void cropDefaultsAreTorchvisionsAndTheSizeMustBeSet() {
        RandomResizedCrop crop = RandomResizedCrop.builder().size(32).build();
        assertEquals(
                List.of(32.0, 32.0, 0.08, 1.0, 0.75, 4.0 / 3),
                List.of(
                        (double) crop.height(),
                        (double) crop.width(),
                        crop.scaleMin(),
                        crop.scaleMax(),
                        crop.ratioMin(),
                        crop.ratioMax()));
        assertEquals(Interpolation.BILINEAR, crop.interpolation());
        assertEquals(crop, crop.toBuilder().build());
        rejects(
                "crop.height must be >= 1, got 0",
                () -> RandomResizedCrop.builder().build());
    }

    @Test
    void jitterStartsOffAndAlwaysApplied() {
        ColorJitter none = ColorJitter.builder().build();
        assertEquals(
                List.of(0.0, 0.0, 0.0, 0.0, 1.0),
                List.of(none.brightness(), none.contrast(), none.saturation(), none.hue(), none.p()));
        ColorJitter some = ColorJitter.builder().brightness(0.4).hue(0.1).p(0.8).build();
        assertEquals(some, some.toBuilder().build());
        rejects(
                "jitter.hue must be in [0.0, 0.5], got 0.6",
                () -> ColorJitter.builder().hue(0.6));
    }

    @Test
    void producerOptionsOfIsTheBuilderWithABatchSize() {
        ProducerOptions of = ProducerOptions.of(64, 3);
        assertEquals(of, ProducerOptions.builder().batchSize(64).seed(3).build());
        assertEquals(2 * of.threads(), of.prefetch());
        assertEquals(List.of(true, true, false), List.of(of.dropLast(), of.shuffle(), of.groupPatches()));
        ProducerOptions two = ProducerOptions.builder().batchSize(8).threads(2).build();
        assertEquals(4, two.prefetch());
        assertEquals(of.withThreads(3), of.toBuilder().threads(3).prefetch(6).build());
        rejects(
                "producer.batchSize must be in [1, 1048576], got 0",
                () -> ProducerOptions.builder().build());
        rejects(
                "producer.threads must be in [1, 256], got 0",
                () -> ProducerOptions.builder().threads(0));
    }

    @Test
    void datasetInfoNeedsItsShape() {
        DatasetInfo info = DatasetInfo.builder()
                .name("x")
                .size(5)
                .channels(1)
                .height(28)
                .width(28)
                .classes(10)
                .build();
        assertEquals(info, info.toBuilder().build());
        assertTrue(info.labeled());
        assertEquals(false, info.toBuilder().classes(0).build().labeled());
        rejects(
                "dataset.channels must be 1 or 3, got 0",
                () -> DatasetInfo.builder().name("x").build());
        rejects(
                "dataset.height must be >= 1, got 0",
                () -> DatasetInfo.builder().height(0));
    }

    private static void rejects(String message, Executable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertEquals(message, e.getMessage());
    }
}
