package dev.contrastive.augment.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

  @TempDir Path dir;

  @Test
  void fashionMnistKeywordOpensTrainAndTestSplits() throws Exception {
    try (Dataset train = Datasets.open("fashion-mnist");
        Dataset test = Datasets.open("fashion-mnist:test")) {
      assertEquals(10, train.info().classes());
      assertTrue(train.size() > test.size(), train.size() + " vs " + test.size());
    }
  }

  @Test
  void subsetKeywordAlwaysOpensTheEmbeddedSubset() throws Exception {
    try (Dataset train = Datasets.open("fashion-mnist-subset");
        Dataset trainNamed = Datasets.open("fashion-mnist-subset:train");
        Dataset test = Datasets.open("fashion-mnist-subset:test")) {
      assertEquals(List.of(10_000, 10_000, 2_000), List.of(train.size(), trainNamed.size(), test.size()));
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Datasets.open("fashion-mnist-subset:val"));
    assertTrue(e.getMessage().contains(":train or :test"), e.getMessage());
  }

  @Test
  void fullKeywordOpensTheFullSetOrSaysWhereItLooked() throws Exception {
    if (FashionMnist.fullSetDirectory().isPresent()) {
      try (Dataset train = Datasets.open("fashion-mnist-full"); Dataset test = Datasets.open("fashion-mnist-full:test")) {
        assertEquals(List.of(60_000, 10_000), List.of(train.size(), test.size()));
      }
    } else {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Datasets.open("fashion-mnist-full"));
      assertTrue(e.getMessage().contains(FashionMnist.DEBIAN_DIRECTORY.toString()), e.getMessage());
    }
  }

  @Test
  void idxFolderIsRecognisedByItsFileNames() throws Exception {
    List<Image> images = DataFiles.randomImages(1, 5, 1, 4, 3, 10);
    DataFiles.write(dir.resolve("train-images-idx3-ubyte.gz"),
        DataFiles.gzip(DataFiles.idxImages(images, 4, 3)));
    DataFiles.write(dir.resolve("train-labels-idx1-ubyte.gz"),
        DataFiles.gzip(DataFiles.idxLabels(images)));
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
  void unknownNameNamesTheSpec() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Datasets.open("no/such/place"));
    assertTrue(e.getMessage().contains("no/such/place"), e.getMessage());
  }

  @Test
  void plainFileThatIsNotHdf5IsRejected() throws Exception {
    Path file = DataFiles.write(dir.resolve("images.bin"), new byte[] {1, 2, 3});
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Datasets.open(file.toString()));
    assertTrue(e.getMessage().contains("not HDF5"), e.getMessage());
  }
}
