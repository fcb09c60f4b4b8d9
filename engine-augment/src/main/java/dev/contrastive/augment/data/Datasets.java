package dev.contrastive.augment.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Opens a dataset named on a command line: a keyword for the built-in data, {@code npy:} files, or
 * a path whose format is recognised from its name and contents. A spec names one data set: it means
 * the same images on every machine, or fails.
 *
 * <ul>
 *   <li>{@code fashion-mnist[:train|:test]}: the Fashion-MNIST subset embedded in the jar ({@link
 *       FashionMnist#embedded}), whether or not the full set is installed;
 *   <li>{@code fashion-mnist-subset[:train|:test]}: the same, by its explicit name;
 *   <li>{@code fashion-mnist-full[:train|:test]}: the full set, an error naming where it was looked
 *       for when absent;
 *   <li>{@code npy:IMAGES.npy[,LABELS.npy]}: NumPy files ({@link InMemoryDataset#fromNpy});
 *   <li>{@code *.h5}, {@code *.hdf5}: {@link Hdf5Dataset};
 *   <li>a folder holding {@code *-images-idx3-ubyte[.gz|.xz]} and the matching labels file: {@link
 *       IdxDataset} (the training files when both splits are there);
 *   <li>a folder holding {@code data_batch_*.bin}: CIFAR-10 training batches; {@code train.bin}:
 *       CIFAR-100 training set; {@code train_X.bin}: STL-10 training split ({@code unlabeled_X.bin}
 *       alone: the unlabeled split);
 *   <li>any other folder: an image folder, one subfolder per class.
 * </ul>
 *
 * The split is {@code :train} when not given.
 */
public final class Datasets {

    /** The accepted forms, for the message of a spec that matches none. */
    private static final String FORMS =
            "fashion-mnist[:train|:test] (the embedded subset), fashion-mnist-subset[:train|:test] (the"
                    + " same), fashion-mnist-full[:train|:test], npy:IMAGES.npy[,LABELS.npy], an HDF5 file"
                    + " (.h5, .hdf5), or a folder of IDX, CIFAR-10, CIFAR-100 or STL-10 files or of one"
                    + " subfolder of images per class";

    /** A Fashion-MNIST keyword: the family suffix, then the split with its colon. */
    private static final Pattern FASHION_MNIST = Pattern.compile("fashion-mnist(-subset|-full)?(:.*)?");

    private static final String NPY = "npy:";

    private Datasets() {}

    /**
     * @throws IllegalArgumentException naming the spec when nothing matches or the files are
     *     malformed
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
        Matcher fashionMnist = FASHION_MNIST.matcher(lower);
        if (fashionMnist.matches()) {
            return fashionMnist(spec, fashionMnist.group(1), fashionMnist.group(2));
        }
        if (lower.startsWith(NPY)) {
            return npy(spec);
        }
        Path path = Path.of(spec);
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(
                    "dataset '" + spec + "' is neither an existing path nor one of the accepted forms: " + FORMS);
        }
        if (lower.endsWith(".h5") || lower.endsWith(".hdf5")) {
            return Hdf5Dataset.open(path);
        }
        if (!Files.isDirectory(path)) {
            String npyHint = lower.endsWith(".npy") ? "; a .npy file is named " + NPY + spec + "[,LABELS.npy]" : "";
            throw new IllegalArgumentException("dataset file '"
                    + spec
                    + "' is not HDF5 (.h5, .hdf5); give the folder of IDX, CIFAR or"
                    + " STL-10 files instead"
                    + npyHint);
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

    /**
     * @param family null (the embedded subset), "-subset" or "-full"
     * @param split null (training split), ":train" or ":test"
     */
    private static Dataset fashionMnist(String spec, String family, String split) throws IOException {
        FashionMnist.Split which = switch (split == null ? ":train" : split) {
            case ":train" -> FashionMnist.Split.TRAIN;
            case ":test" -> FashionMnist.Split.TEST;
            default -> throw new IllegalArgumentException("dataset '" + spec + "': the split must be :train or :test");
        };
        if (!"-full".equals(family)) {
            return FashionMnist.embedded(which);
        }
        Path full = FashionMnist.fullSetDirectory()
                .orElseThrow(() -> new IllegalArgumentException("dataset '"
                        + spec
                        + "': the full Fashion-MNIST set is not installed (looked in -D"
                        + FashionMnist.PROPERTY
                        + ", $"
                        + FashionMnist.ENV
                        + " and "
                        + FashionMnist.DEBIAN_DIRECTORY
                        + ")"));
        return FashionMnist.full(full, which);
    }

    /** {@code npy:IMAGES.npy[,LABELS.npy]}; the names are taken as given, commas separate them. */
    private static Dataset npy(String spec) throws IOException {
        String[] names = spec.substring(NPY.length()).split(",", -1);
        if (names.length > 2 || Arrays.stream(names).anyMatch(String::isBlank)) {
            throw new IllegalArgumentException(
                    "dataset '" + spec + "': expected " + NPY + "IMAGES.npy or " + NPY + "IMAGES.npy,LABELS.npy");
        }
        Path[] files = new Path[names.length];
        for (int i = 0; i < names.length; i++) {
            files[i] = Path.of(names[i]);
            if (!Files.isRegularFile(files[i])) {
                throw new IllegalArgumentException("dataset '" + spec + "': no such file " + files[i]);
            }
        }
        return InMemoryDataset.fromNpy(files[0], files.length == 2 ? files[1] : null);
    }

    private static Path first(List<Path> files, String nameContains) {
        return files.stream()
                .filter(f -> f.getFileName().toString().contains(nameContains))
                .findFirst()
                .orElse(null);
    }
}
