package dev.contrastive.augment.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Opens a dataset named on a command line: a keyword for the built-in data, or a path whose format
 * is recognised from its name and contents.
 *
 * <ul>
 *   <li>{@code fashion-mnist} or {@code fashion-mnist:train}, {@code fashion-mnist:test}: the full
 *       set when present, else the embedded subset ({@link FashionMnist});
 *   <li>{@code fashion-mnist-subset[:train|:test]}: always the embedded subset, so a run gives the
 *       same result whether or not the full set is installed;
 *   <li>{@code fashion-mnist-full[:train|:test]}: the full set, an error naming where it was looked
 *       for when absent;
 *   <li>{@code *.h5}, {@code *.hdf5}: {@link Hdf5Dataset};
 *   <li>a folder holding {@code *-images-idx3-ubyte[.gz|.xz]} and the matching labels file: {@link
 *       IdxDataset} (the training files when both splits are there);
 *   <li>a folder holding {@code data_batch_*.bin}: CIFAR-10 training batches; {@code train.bin}:
 *       CIFAR-100 training set; {@code train_X.bin}: STL-10 training split ({@code unlabeled_X.bin}
 *       alone: the unlabeled split);
 *   <li>any other folder: an image folder, one subfolder per class.
 * </ul>
 */
public final class Datasets {

  private Datasets() {}

  /**
   * @throws IllegalArgumentException naming the spec when nothing matches or the files are malformed
   * @throws UncheckedIOException when a file cannot be read
   */
  public static Dataset open(String spec) {
    try {
      return openChecked(spec);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read dataset '" + spec + "': " + e.getMessage(), e);
    }
  }

  private static Dataset openChecked(String spec) throws IOException {
    String lower = spec.toLowerCase(Locale.ROOT);
    if (lower.equals("fashion-mnist") || lower.equals("fashion-mnist:train")) {
      return FashionMnist.train();
    }
    if (lower.equals("fashion-mnist:test")) {
      return FashionMnist.test();
    }
    if (lower.startsWith("fashion-mnist-subset") || lower.startsWith("fashion-mnist-full")) {
      FashionMnist.Split split = switch (lower.substring(lower.indexOf(':') < 0 ? lower.length() : lower.indexOf(':'))) {
        case "", ":train" -> FashionMnist.Split.TRAIN;
        case ":test" -> FashionMnist.Split.TEST;
        default -> throw new IllegalArgumentException(
            "dataset '" + spec + "': the split must be :train or :test");
      };
      if (lower.startsWith("fashion-mnist-subset")) {
        return FashionMnist.embedded(split);
      }
      Path full = FashionMnist.fullSetDirectory().orElseThrow(() -> new IllegalArgumentException(
          "dataset '" + spec + "': the full Fashion-MNIST set is not installed (looked in -D"
              + FashionMnist.PROPERTY + ", $" + FashionMnist.ENV + " and " + FashionMnist.DEBIAN_DIRECTORY + ")"));
      return FashionMnist.full(full, split);
    }
    Path path = Path.of(spec);
    if (!Files.exists(path)) {
      throw new IllegalArgumentException(
          "dataset '" + spec + "' is neither fashion-mnist[-subset|-full][:train|:test] nor an existing path");
    }
    if (lower.endsWith(".h5") || lower.endsWith(".hdf5")) {
      return Hdf5Dataset.open(path);
    }
    if (!Files.isDirectory(path)) {
      throw new IllegalArgumentException(
          "dataset file '" + spec + "' is not HDF5 (.h5, .hdf5); give the folder of IDX, CIFAR or"
              + " STL-10 files instead");
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(path)) {
      files = list.sorted().toList();
    }
    Path idxImages = first(files, "train-images-idx3-ubyte");
    if (idxImages == null) {
      idxImages = first(files, "-images-idx3-ubyte");
    }
    if (idxImages != null) {
      String labels = idxImages.getFileName().toString().replace("-images-idx3-", "-labels-idx1-");
      return IdxDataset.open(idxImages, path.resolve(labels));
    }
    List<Path> cifar10 = files.stream()
        .filter(f -> f.getFileName().toString().matches("data_batch_\\d+\\.bin"))
        .toList();
    if (!cifar10.isEmpty()) {
      return CifarDataset.open10(cifar10.toArray(Path[]::new));
    }
    if (Files.exists(path.resolve("train.bin"))) {
      return CifarDataset.open100(path.resolve("train.bin"));
    }
    if (Files.exists(path.resolve("train_X.bin"))) {
      return Stl10Dataset.open(path.resolve("train_X.bin"), path.resolve("train_y.bin"));
    }
    if (Files.exists(path.resolve("unlabeled_X.bin"))) {
      return Stl10Dataset.openUnlabeled(path.resolve("unlabeled_X.bin"));
    }
    return ImageFolderDataset.open(path);
  }

  private static Path first(List<Path> files, String nameContains) {
    return files.stream()
        .filter(f -> f.getFileName().toString().contains(nameContains))
        .findFirst()
        .orElse(null);
  }
}
