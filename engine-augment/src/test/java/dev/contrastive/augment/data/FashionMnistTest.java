package dev.contrastive.augment.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.augment.data.FashionMnist.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    @TempDir
    Path dir;

    @AfterEach
    void clearProperty() {
        System.clearProperty(FashionMnist.PROPERTY);
    }

    /** Image count per class, read by streaming. */
    static int[] classCounts(Dataset data) {
        int[] counts = new int[data.info().classes()];
        for (Iterator<Image> it = data.stream(); it.hasNext(); ) {
            counts[it.next().label()]++;
        }
        return counts;
    }

    @Test
    void embeddedTrainingSubsetHas1000ImagesOfEachClass() throws IOException {
        try (Dataset train = FashionMnist.embedded(Split.TRAIN)) {
            DatasetInfo info = train.info();
            assertEquals(10_000, info.size());
            assertEquals(1, info.channels());
            assertEquals(28, info.height());
            assertEquals(28, info.width());
            assertEquals(10, info.classes());
            assertTrue(info.name().contains("embedded subset"), info.name());
            int[] tenThousand = new int[10];
            java.util.Arrays.fill(tenThousand, 1_000);
            assertArrayEquals(tenThousand, classCounts(train));
        }
    }

    @Test
    void embeddedTestSubsetHas200ImagesOfEachClassAndStreamsAsItReads() throws IOException {
        try (Dataset test = FashionMnist.embedded(Split.TEST)) {
            assertEquals(2_000, test.size());
            assertEquals(10, test.info().classes());
            int[] counts = new int[10];
            List<Image> images = DataFiles.readAll(test);
            images.forEach(image -> counts[image.label()]++);
            int[] twoHundred = new int[10];
            java.util.Arrays.fill(twoHundred, 200);
            assertArrayEquals(twoHundred, counts);
            // Real clothing pictures, not blank filler: most pixels of a Fashion-MNIST image are
            // background 0, but every image has some ink.
            for (Image image : images) {
                int ink = 0;
                for (byte pixel : image.pixels()) {
                    ink += pixel != 0 ? 1 : 0;
                }
                assertTrue(ink > 20 && ink < 784, "ink pixels " + ink);
            }
        }
    }

    /**
     * Writes a small fake full set under {@code dir}: gzip IDX files as the Debian package has them,
     * 20 training images (randomImages seed 1) and 7 test images.
     */
    static Path fakeFullSet(Path dir, boolean withTestSplit) throws IOException {
        Path full = dir.resolve("full");
        List<Image> train = DataFiles.randomImages(1, 20, 1, 28, 28, 10);
        DataFiles.write(full.resolve("train-images-idx3-ubyte.gz"), DataFiles.gzip(DataFiles.idxImages(train, 28, 28)));
        DataFiles.write(full.resolve("train-labels-idx1-ubyte.gz"), DataFiles.gzip(DataFiles.idxLabels(train)));
        if (withTestSplit) {
            // Uncompressed, which the lookup accepts as well.
            List<Image> test = DataFiles.randomImages(2, 7, 1, 28, 28, 10);
            DataFiles.write(full.resolve("t10k-images-idx3-ubyte"), DataFiles.idxImages(test, 28, 28));
            DataFiles.write(full.resolve("t10k-labels-idx1-ubyte"), DataFiles.idxLabels(test));
        }
        return full;
    }

    @Test
    void aFullSetGivenByTheSystemPropertyIsFoundAndRead() throws IOException {
        Path full = fakeFullSet(dir, true);
        System.setProperty(FashionMnist.PROPERTY, full.toString());
        assertEquals(Optional.of(full), FashionMnist.fullSetDirectory());
        try (Dataset train = FashionMnist.full(full, Split.TRAIN);
                Dataset test = FashionMnist.full(full, Split.TEST)) {
            assertEquals(20, train.size());
            assertEquals(
                    "Fashion-MNIST train, full set from " + full, train.info().name());
            assertEquals(DataFiles.randomImages(1, 20, 1, 28, 28, 10), DataFiles.readAll(train));
            assertEquals(7, test.size());
            assertEquals(
                    "Fashion-MNIST t10k, full set from " + full, test.info().name());
        }
    }

    @Test
    void trainAndTestAreTheEmbeddedSubsetEvenWhereTheFullSetIsInstalled() throws IOException {
        System.setProperty(FashionMnist.PROPERTY, fakeFullSet(dir, true).toString());
        try (Dataset train = FashionMnist.train();
                Dataset test = FashionMnist.test();
                Dataset embeddedTest = FashionMnist.embedded(Split.TEST)) {
            assertEquals(10_000, train.size());
            assertTrue(
                    train.info().name().contains("embedded subset"),
                    train.info().name());
            assertEquals(2_000, test.size());
            assertEquals(embeddedTest.info(), test.info());
        }
    }

    @Test
    void aLabelOutsideTheTenClassesNamesTheFileItsIndexAndValue() throws IOException {
        Path full = fakeFullSet(dir, true);
        Path labels = full.resolve("t10k-labels-idx1-ubyte");
        byte[] bytes = Files.readAllBytes(labels);
        bytes[8 + 5] = 12;
        Files.write(labels, bytes);
        DatasetFormatException e =
                assertThrows(DatasetFormatException.class, () -> FashionMnist.full(full, Split.TEST));
        assertEquals(labels + ": label 5 (offset 13): expected a class in [0, 10), found 12", e.getMessage());
    }

    @Test
    void aGivenDirectoryWithoutTheSetIsAnErrorNotASilentFallback() throws IOException {
        Path incomplete = fakeFullSet(dir, false);
        System.setProperty(FashionMnist.PROPERTY, incomplete.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, FashionMnist::fullSetDirectory);
        assertEquals(
                "system property contrastive.fashion-mnist names "
                        + incomplete
                        + " for the full"
                        + " Fashion-MNIST set, but it has no t10k-images-idx3-ubyte (nor"
                        + " t10k-images-idx3-ubyte.gz)",
                e.getMessage());
    }

    @Test
    void withoutAGivenPathTheDebianDirectoryIsUsedExactlyWhenComplete() {
        String env = System.getenv(FashionMnist.ENV);
        org.junit.jupiter.api.Assumptions.assumeTrue(
                env == null || env.isBlank(), FashionMnist.ENV + " is set in this environment");
        boolean installed = true;
        for (String name : new String[] {
            "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
        }) {
            installed &= Files.isRegularFile(FashionMnist.DEBIAN_DIRECTORY.resolve(name + ".gz"))
                    || Files.isRegularFile(FashionMnist.DEBIAN_DIRECTORY.resolve(name));
        }
        assertEquals(
                installed ? Optional.of(FashionMnist.DEBIAN_DIRECTORY) : Optional.empty(),
                FashionMnist.fullSetDirectory());
    }
}
