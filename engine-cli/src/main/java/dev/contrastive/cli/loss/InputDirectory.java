package dev.contrastive.cli.loss;

import dev.contrastive.core.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The {@code .npy} inputs of one loss command: each read once, with errors that name the file and
 * what it should hold. Owns the arrays it read.
 */
final class InputDirectory implements AutoCloseable {

    static final String LOCATION_PREFIX = "src_loc_";

    private final Path dir;
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final List<INDArray> arrays = new ArrayList<>();

    InputDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--in " + dir + " is not a directory");
        }
        this.dir = dir;
    }

    /**
     * Reads {@code <name>.npy}, which must be float32 or float64 of one of {@code ranks}.
     *
     * @param holds what the file should hold, with its layout, for the error messages
     */
    INDArray features(String name, String holds, int... ranks) throws IOException {
        INDArray x = Npy.readArray(require(name, holds + ", float32 or float64"));
        arrays.add(x);
        if (Arrays.stream(ranks).noneMatch(rank -> rank == x.rank())) {
            throw new IllegalArgumentException(name
                    + ".npy has shape "
                    + Arrays.toString(x.shape())
                    + " (rank "
                    + x.rank()
                    + "), expected "
                    + holds);
        }
        shapes.put(name, x.shape());
        return x;
    }

    /** Reads {@code src_loc_<key>.npy}: one int32/int64 location per image. */
    int[] locations(String key, String holds) throws IOException {
        return Npy.readIntVector(require(LOCATION_PREFIX + key, holds));
    }

    /** Sampler keys of the {@code src_loc_<key>.npy} files present, sorted. */
    Set<String> locationKeys() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.startsWith(LOCATION_PREFIX) && name.endsWith(".npy"))
                    .map(name -> name.substring(LOCATION_PREFIX.length(), name.length() - ".npy".length()))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** Shapes of the feature files read so far, by name without {@code .npy}. */
    Map<String, long[]> shapes() {
        return shapes;
    }

    Path dir() {
        return dir;
    }

    private Path require(String name, String holds) {
        Path file = dir.resolve(name + ".npy");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(name + ".npy is missing from " + dir + ": it should hold " + holds);
        }
        return file;
    }

    @Override
    public void close() {
        arrays.forEach(INDArray::close);
    }
}
