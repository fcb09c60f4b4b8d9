package dev.contrastive.augment.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.contrastive.augment.data.FashionMnist.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Iterator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The full Fashion-MNIST set of the Debian package {@code dataset-fashion-mnist}, skipped where it
 * is not installed ({@code .ci/run} may install it).
 */
class FashionMnistFullSetIT {

    private static void assumeInstalled() {
        Assumptions.assumeTrue(
                Files.isRegularFile(FashionMnist.DEBIAN_DIRECTORY.resolve("train-images-idx3-ubyte.gz")),
                "dataset-fashion-mnist is not installed");
    }

    @Test
    void fullSplitsHaveThePublishedSizesAndBalance() throws IOException {
        assumeInstalled();
        for (Split split : Split.values()) {
            try (Dataset data = FashionMnist.full(FashionMnist.DEBIAN_DIRECTORY, split)) {
                assertEquals(split.fullSize(), data.size());
                assertEquals(
                        DatasetInfo.builder()
                                .name(data.info().name())
                                .size(split.fullSize())
                                .channels(1)
                                .height(28)
                                .width(28)
                                .classes(10)
                                .build(),
                        data.info());
                int[] expected = new int[10];
                Arrays.fill(expected, split.fullSize() / 10);
                assertArrayEquals(expected, FashionMnistTest.classCounts(data));
            }
        }
    }

    /** The contract of scripts/make-fashion-mnist-subset.sh: the first N per class, in file order. */
    @Test
    void embeddedSubsetIsTheFirstImagesOfEachClassInFileOrder() throws IOException {
        assumeInstalled();
        for (Split split : Split.values()) {
            try (Dataset full = FashionMnist.full(FashionMnist.DEBIAN_DIRECTORY, split);
                    Dataset embedded = FashionMnist.embedded(split)) {
                int[] taken = new int[10];
                Iterator<Image> subset = embedded.stream();
                int matched = 0;
                for (Iterator<Image> it = full.stream(); it.hasNext(); ) {
                    Image image = it.next();
                    if (taken[image.label()]++ < split.embeddedPerClass()) {
                        assertEquals(image, subset.next(), "embedded image " + matched);
                        matched++;
                    }
                }
                assertEquals(embedded.size(), matched);
            }
        }
    }
}
