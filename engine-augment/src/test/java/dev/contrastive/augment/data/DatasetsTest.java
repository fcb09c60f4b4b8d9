package dev.contrastive.augment.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.io.Npy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

    @TempDir
    Path dir;

    @AfterEach
    void clearProperty() {
        System.clearProperty(FashionMnist.PROPERTY);
    }

    private static List<Integer> sizes(String... specs) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (String spec : specs) {
            try (Dataset data = Datasets.open(spec)) {
                sizes.add(data.size());
            }
        }
        return sizes;
    }

    @Test
    void fashionMnistIsTheEmbeddedSubsetWhereTheFullSetIsInstalledToo() throws Exception {
        System.setProperty(
                FashionMnist.PROPERTY, FashionMnistTest.fakeFullSet(dir, true).toString());
        assertEquals(
                List.of(10_000, 10_000, 2_000, 10_000, 10_000, 2_000),
                sizes(
                        "fashion-mnist",
                        "fashion-mnist:train",
                        "fashion-mnist:test",
                        "fashion-mnist-subset",
                        "Fashion-MNIST-subset:train",
                        "fashion-mnist-subset:test"));
        assertEquals(
                List.of(20, 20, 7), sizes("fashion-mnist-full", "fashion-mnist-full:train", "fashion-mnist-full:test"));
        try (Dataset train = Datasets.open("fashion-mnist")) {
            assertEquals(10, train.info().classes());
            assertTrue(
                    train.info().name().contains("embedded subset"),
                    train.info().name());
        }
    }

    @Test
    void aSplitOtherThanTrainOrTestIsRefused() {
        for (String spec : new String[] {
            "fashion-mnist:val", "fashion-mnist-subset:val", "fashion-mnist-full:", "fashion-mnist:train:test"
        }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.open(spec));
            assertEquals("dataset '" + spec + "': the split must be :train or :test", e.getMessage());
        }
    }

    @Test
    void fullKeywordOpensTheFullSetOrSaysWhereItLooked() throws Exception {
        if (FashionMnist.fullSetDirectory().isPresent()) {
            assertEquals(List.of(60_000, 10_000), sizes("fashion-mnist-full", "fashion-mnist-full:test"));
        } else {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> Datasets.open("fashion-mnist-full"));
            assertEquals(
                    "dataset 'fashion-mnist-full': the full Fashion-MNIST set is not installed"
                            + " (looked in -Dcontrastive.fashion-mnist, $CONTRASTIVE_FASHION_MNIST and "
                            + FashionMnist.DEBIAN_DIRECTORY
                            + ")",
                    e.getMessage());
        }
    }

    @Test
    void npyFilesWithAndWithoutLabels() throws Exception {
        List<Image> images = DataFiles.randomImages(5, 4, 1, 3, 2, 3);
        Path x = DataFiles.write(
                dir.resolve("x.npy"), DataFiles.npy("|u1", new long[] {4, 3, 2}, DataFiles.pixels(images)));
        Path y = dir.resolve("y.npy");
        Npy.writeInts(y, images.stream().mapToInt(Image::label).toArray());
        try (Dataset labeled = Datasets.open("npy:" + x + "," + y);
                Dataset unlabeled = Datasets.open("NPY:" + x)) {
            assertInstanceOf(InMemoryDataset.class, labeled);
            assertEquals(images, DataFiles.readAll(labeled));
            assertEquals(4, unlabeled.size());
            assertFalse(unlabeled.info().labeled());
        }
        for (String spec : new String[] {"npy:", "npy:" + x + ",", "npy:" + x + "," + y + "," + y}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.open(spec));
            assertEquals(
                    "dataset '" + spec + "': expected npy:IMAGES.npy or npy:IMAGES.npy,LABELS.npy", e.getMessage());
        }
        Path absent = dir.resolve("absent.npy");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Datasets.open("npy:" + x + "," + absent));
        assertEquals("dataset 'npy:" + x + "," + absent + "': no such file " + absent, e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Datasets.open(x.toString()));
        assertTrue(e.getMessage().endsWith("; a .npy file is named npy:" + x + "[,LABELS.npy]"), e.getMessage());
    }

    @Test
    void idxFolderIsRecognisedByItsFileNames() throws Exception {
        List<Image> images = DataFiles.randomImages(1, 5, 1, 4, 3, 10);
        DataFiles.write(dir.resolve("train-images-idx3-ubyte.gz"), DataFiles.gzip(DataFiles.idxImages(images, 4, 3)));
        DataFiles.write(dir.resolve("train-labels-idx1-ubyte.gz"), DataFiles.gzip(DataFiles.idxLabels(images)));
        try (Dataset d = Datasets.open(dir.toString())) {
            assertInstanceOf(IdxDataset.class, d);
            assertEquals(images, DataFiles.readAll(d));
        }
    }

    @Test
    void cifarFolderIsRecognisedByItsBatchFiles() throws Exception {
        List<Image> images = DataFiles.randomImages(2, 3, 3, 32, 32, 10);
        DataFiles.write(dir.resolve("data_batch_1.bin"), DataFiles.cifar10(images));
        try (Dataset d = Datasets.open(dir.toString())) {
            assertInstanceOf(CifarDataset.class, d);
            assertEquals(3, d.size());
        }
    }

    @Test
    void anUnknownSpecIsNamedWithTheAcceptedForms() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.open("no/such/place"));
        assertEquals(
                "dataset 'no/such/place' is neither an existing path nor one of the accepted"
                        + " forms: fashion-mnist[:train|:test] (the embedded subset),"
                        + " fashion-mnist-subset[:train|:test] (the same), fashion-mnist-full[:train|:test],"
                        + " npy:IMAGES.npy[,LABELS.npy], an HDF5 file (.h5, .hdf5), or a folder of IDX, CIFAR-10,"
                        + " CIFAR-100 or STL-10 files or of one subfolder of images per class",
                e.getMessage());
    }

    @Test
    void plainFileThatIsNotHdf5IsRejected() throws Exception {
        Path file = DataFiles.write(dir.resolve("images.bin"), new byte[] {1, 2, 3});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.open(file.toString()));
        assertTrue(e.getMessage().contains("not HDF5"), e.getMessage());
    }
}
