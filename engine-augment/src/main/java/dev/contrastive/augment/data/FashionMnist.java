package dev.contrastive.augment.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Fashion-MNIST (Zalando Research, MIT licence): 28 x 28 grey images of clothing in 10 classes.
 *
 * <p>{@link #train()} and {@link #test()} are the subset shipped in this jar, {@link
 * #embedded(Split)}: the first 1,000 training and 200 test images of each class in file order
 * (10,000 and 2,000 images), made by {@code scripts/make-fashion-mnist-subset.sh} from the Debian
 * package {@code dataset-fashion-mnist}. They are the same on every machine: whether the full set
 * is installed somewhere never changes what they hold. Either set has 10 classes: a label outside
 * [0, 10) fails at open naming the labels file, the label's index and its value.
 *
 * <p>The full set (60,000 and 10,000 images) is read only when asked for, by {@link #full(Path,
 * Split)} with the directory that {@link #fullSetDirectory()} finds, first match wins:
 *
 * <ol>
 *   <li>the directory in system property {@value #PROPERTY};
 *   <li>the directory in environment variable {@value #ENV};
 *   <li>{@code /usr/share/datasets/fashion-mnist}, where {@code apt-get install
 *       dataset-fashion-mnist} puts it.
 * </ol>
 *
 * A directory given by the property or the variable must hold the set: a mistyped path is an error,
 * not an absent set. The default directory is used only if it holds all four files. The files are
 * the published IDX files, gzip-compressed ({@code train-images-idx3-ubyte.gz}, ...) or not.
 */
public final class FashionMnist {

    /** System property naming a directory with the full set. */
    public static final String PROPERTY = "contrastive.fashion-mnist";

    /** Environment variable naming a directory with the full set. */
    public static final String ENV = "CONTRASTIVE_FASHION_MNIST";

    /** Where the Debian package installs the full set. */
    public static final Path DEBIAN_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

    /** The two published splits, with their file prefix and sizes. */
    public enum Split {
        TRAIN("train", 60_000, 1_000),
        TEST("t10k", 10_000, 200);

        private final String prefix;
        private final int fullSize;
        private final int embeddedPerClass;

        Split(String prefix, int fullSize, int embeddedPerClass) {
            this.prefix = prefix;
            this.fullSize = fullSize;
            this.embeddedPerClass = embeddedPerClass;
        }

        /** Images in the full split. */
        public int fullSize() {
            return fullSize;
        }

        /** Images of each of the 10 classes in the embedded subset. */
        public int embeddedPerClass() {
            return embeddedPerClass;
        }

        String images() {
            return prefix + "-images-idx3-ubyte";
        }

        String labels() {
            return prefix + "-labels-idx1-ubyte";
        }
    }

    /** Fixed by the data set: a label outside [0, 10) is a damaged or foreign file, not a class. */
    static final int CLASSES = 10;

    private static final String RESOURCES = "fashion-mnist/";

    private FashionMnist() {}

    /** The training split of the embedded subset, 10,000 images: {@code embedded(Split.TRAIN)}. */
    public static Dataset train() throws IOException {
        return embedded(Split.TRAIN);
    }

    /** The test split of the embedded subset, 2,000 images: {@code embedded(Split.TEST)}. */
    public static Dataset test() throws IOException {
        return embedded(Split.TEST);
    }

    /**
     * The directory of the full set, if any (see the class comment for the order).
     *
     * @throws IllegalArgumentException if the property or variable names a directory without the set
     */
    public static Optional<Path> fullSetDirectory() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return Optional.of(requireFullSet(Path.of(property), "system property " + PROPERTY));
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return Optional.of(requireFullSet(Path.of(env), "environment variable " + ENV));
        }
        return missingFile(DEBIAN_DIRECTORY) == null ? Optional.of(DEBIAN_DIRECTORY) : Optional.empty();
    }

    /** {@code split} from the IDX files in {@code directory}. */
    public static Dataset full(Path directory, Split split) throws IOException {
        requireFullSet(directory, "directory");
        Path images = file(directory, split.images());
        Path labels = file(directory, split.labels());
        String name = "Fashion-MNIST " + split.prefix + ", full set from " + directory;
        return IdxDataset.open(name, images, labels, CLASSES);
    }

    /** {@code split} from the subset embedded in this jar. */
    public static Dataset embedded(Split split) throws IOException {
        String images = RESOURCES + split.images() + ".xz";
        String labels = RESOURCES + split.labels() + ".xz";
        String name = "Fashion-MNIST "
                + split.prefix
                + ", embedded subset ("
                + split.embeddedPerClass
                + " per class of the "
                + split.fullSize
                + ")";
        return IdxDataset.open(
                name,
                "resource " + images,
                () -> resource(images),
                "resource " + labels,
                () -> resource(labels),
                CLASSES);
    }

    private static FileChannel resource(String name) throws IOException {
        try (InputStream in = FashionMnist.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the class path lacks resource "
                        + name
                        + " next to "
                        + FashionMnist.class.getName()
                        + " (run scripts/make-fashion-mnist-subset.sh and rebuild)");
            }
            return Decompression.open("resource " + name, in);
        }
    }

    private static Path requireFullSet(Path directory, String origin) {
        String missing = missingFile(directory);
        if (missing != null) {
            throw new IllegalArgumentException(origin
                    + " names "
                    + directory
                    + " for the full Fashion-MNIST set, but it has no "
                    + missing
                    + " (nor "
                    + missing
                    + ".gz)");
        }
        return directory;
    }

    /** The first of the four files {@code directory} lacks, or null if it has all. */
    private static String missingFile(Path directory) {
        for (Split split : Split.values()) {
            for (String name : new String[] {split.images(), split.labels()}) {
                if (file(directory, name) == null) {
                    return name;
                }
            }
        }
        return null;
    }

    /** {@code name.gz} or {@code name} in {@code directory}, or null. */
    private static Path file(Path directory, String name) {
        for (String candidate : new String[] {name + ".gz", name}) {
            Path file = directory.resolve(candidate);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        return null;
    }
}
