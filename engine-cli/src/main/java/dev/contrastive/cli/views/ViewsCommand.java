package dev.contrastive.cli.views;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.DatasetInfo;
import dev.contrastive.augment.data.Image;
import dev.contrastive.augment.pipeline.ImageSeeds;
import dev.contrastive.augment.transform.ImageBatch;
import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.augment.transform.PairTransform.ViewPair;
import dev.contrastive.augment.transform.Preset;
import dev.contrastive.augment.transform.Presets;
import dev.contrastive.core.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Function;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code views}: writes a PNG grid showing what an augmentation preset does to a few images, for a
 * person to look at: for each image its original, view A and view B side by side.
 *
 * <p>Datasets are named on the command line and opened by a resolver the top-level command injects
 * (it knows the readers and the embedded data); this class only needs {@link Dataset}. The views
 * are exactly those {@link dev.contrastive.augment.pipeline.PairProducer} makes for the same images
 * in epoch 0 with the same seed.
 */
@Command(
        name = "views",
        sortOptions = false,
        usageHelpWidth = 100,
        description = "Write a PNG grid of original, view A and view B for a few images of a dataset.",
        footerHeading = "%n",
        footer = {
            "The grid has four images to a line; each image is three tiles: the original, view A and",
            "view B, enlarged by whole pixels. Normalised views are shown un-normalised; patch views (CPC)",
            "show their patches in grid order with a gap between patches. The views are those the",
            "training pipeline makes in epoch 0 with the same --seed."
        })
public final class ViewsCommand implements Callable<Integer> {

    private static final int PER_LINE = 4;
    private static final int TILE_GAP = 4;
    private static final int IMAGE_GAP = 16;
    private static final int PATCH_GAP = 1;
    private static final int MIN_TILE = 96;
    private static final int BACKGROUND = 0x808080;

    @Spec
    private CommandSpec spec;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "DATA",
            description = "The images: a dataset path, or a name the contrastive command knows "
                    + "(fashion-mnist: the Fashion-MNIST data shipped with the engine).")
    private String data;

    @Option(
            names = "--preset",
            defaultValue = "fashion-mnist",
            paramLabel = "NAME",
            completionCandidates = PresetNames.class,
            description = "Augmentation preset: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private String preset;

    @Option(
            names = "--out",
            defaultValue = "views.png",
            paramLabel = "FILE",
            description = "PNG file to write (default: ${DEFAULT-VALUE}).")
    private Path out;

    @Option(
            names = "--seed",
            defaultValue = "0",
            paramLabel = "N",
            description = "Seed of the image choice and the augmentation (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(
            names = "--images",
            defaultValue = "16",
            paramLabel = "N",
            description = "Images to show, 1 to 256 (default: ${DEFAULT-VALUE}).")
    private int images;

    private final Function<String, Dataset> datasets;

    /**
     * @param datasets opens the dataset that {@code --data} names; throws {@link
     *     IllegalArgumentException} or {@link UncheckedIOException} with a clear message when it
     *     cannot. The command closes what it returns.
     */
    public ViewsCommand(Function<String, Dataset> datasets) {
        if (datasets == null) {
            throw new IllegalArgumentException("views.datasets resolver must not be null");
        }
        this.datasets = datasets;
    }

    /** The preset names, for picocli's completion and help. */
    static final class PresetNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Presets.names().iterator();
        }
    }

    @Override
    public Integer call() throws IOException {
        if (images < 1 || images > 256) {
            throw new ParameterException(spec.commandLine(), "--images must be in [1, 256], got " + images);
        }
        Preset chosen;
        try {
            chosen = Presets.byName(preset);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
        Dataset dataset;
        try {
            dataset = datasets.apply(data);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new ParameterException(
                    spec.commandLine(), "--data '" + data + "' cannot be opened: " + e.getMessage());
        }
        BufferedImage grid;
        int[] indices;
        try (dataset) {
            DatasetInfo info = dataset.info();
            ItemShape input = ItemShape.image(info.channels(), info.height(), info.width());
            try {
                chosen.pairs().outputShape(input);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--preset "
                                + preset
                                + " does not fit --data '"
                                + data
                                + "' ("
                                + input
                                + " images): "
                                + e.getMessage());
            }
            if (info.size() == 0) {
                throw new ParameterException(spec.commandLine(), "--data '" + data + "' has no images");
            }
            indices = choose(info.size(), Math.min(images, info.size()), seed);
            List<Image> originals = new ArrayList<>(indices.length);
            SplittableRandom[] streams = new SplittableRandom[indices.length];
            for (int i = 0; i < indices.length; i++) {
                originals.add(dataset.get(indices[i]));
                streams[i] = new SplittableRandom(ImageSeeds.image(seed, 0, indices[i]));
            }
            ViewPair views = chosen.pairs().apply(ImageBatch.fromImages(originals, streams));
            grid = render(
                    originals,
                    chosen.normalize().inverse().apply(views.a()),
                    chosen.normalize().inverse().apply(views.b()));
        }
        write(grid, out);
        spec.commandLine()
                .getOut()
                .printf(
                        "views: wrote %s (%d images of %s, preset %s, seed %d)%n",
                        out, indices.length, data, preset, seed);
        return 0;
    }

    /** {@code count} distinct indices in [0, size), a seeded uniform choice, in increasing order. */
    static int[] choose(int size, int count, long seed) {
        int[] all = new int[size];
        for (int i = 0; i < size; i++) {
            all[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(size - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] chosen = Arrays.copyOf(all, count);
        Arrays.sort(chosen);
        return chosen;
    }

    /** Side lengths of a view tile in pixels before enlarging: patches laid out in their grid. */
    private static int[] viewSize(ImageBatch view) {
        int patches = view.shape().patches();
        int g = gridSide(patches);
        return new int[] {g * view.height() + (g - 1) * PATCH_GAP, g * view.width() + (g - 1) * PATCH_GAP};
    }

    private static int gridSide(int patches) {
        return (int) Math.round(Math.sqrt(patches));
    }

    static BufferedImage render(List<Image> originals, ImageBatch a, ImageBatch b) {
        Image first = originals.get(0);
        int[] v = viewSize(a);
        int side = Math.max(Math.max(first.height(), first.width()), Math.max(v[0], v[1]));
        int scale = Math.max(1, (MIN_TILE + side - 1) / side);
        int cell = side * scale;
        int n = originals.size();
        int perLine = Math.min(PER_LINE, n);
        int lines = (n + PER_LINE - 1) / PER_LINE;
        int imageWidth = 3 * cell + 2 * TILE_GAP;
        int width = IMAGE_GAP + perLine * (imageWidth + IMAGE_GAP);
        int height = IMAGE_GAP + lines * (cell + IMAGE_GAP);
        BufferedImage grid = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                grid.setRGB(x, y, BACKGROUND);
            }
        }
        int patches = a.shape().patches();
        for (int i = 0; i < n; i++) {
            int left = IMAGE_GAP + (i % PER_LINE) * (imageWidth + IMAGE_GAP);
            int top = IMAGE_GAP + (i / PER_LINE) * (cell + IMAGE_GAP);
            Image original = originals.get(i);
            drawOriginal(grid, original, left, top, scale);
            for (int k = 0; k < 2; k++) {
                ImageBatch view = k == 0 ? a : b;
                int tileLeft = left + (k + 1) * (cell + TILE_GAP);
                int g = gridSide(patches);
                for (int p = 0; p < patches; p++) {
                    int px = tileLeft + (p % g) * (view.width() + PATCH_GAP) * scale;
                    int py = top + (p / g) * (view.height() + PATCH_GAP) * scale;
                    drawRow(grid, view, i * patches + p, px, py, scale);
                }
            }
        }
        return grid;
    }

    private static void drawOriginal(BufferedImage grid, Image image, int left, int top, int scale) {
        int c = image.channels();
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                int r = image.pixel(0, y, x);
                int g = c == 3 ? image.pixel(1, y, x) : r;
                int b = c == 3 ? image.pixel(2, y, x) : r;
                block(grid, left + x * scale, top + y * scale, scale, (r << 16) | (g << 8) | b);
            }
        }
    }

    private static void drawRow(BufferedImage grid, ImageBatch batch, int row, int left, int top, int scale) {
        int h = batch.height();
        int w = batch.width();
        int plane = h * w;
        float[] d = batch.data();
        int base = batch.offset(row);
        boolean color = batch.channels() == 3;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = base + y * w + x;
                int r = byteOf(d[i]);
                int g = color ? byteOf(d[i + plane]) : r;
                int b = color ? byteOf(d[i + 2 * plane]) : r;
                block(grid, left + x * scale, top + y * scale, scale, (r << 16) | (g << 8) | b);
            }
        }
    }

    private static int byteOf(float v) {
        return Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
    }

    private static void block(BufferedImage grid, int x0, int y0, int scale, int rgb) {
        for (int y = y0; y < y0 + scale; y++) {
            for (int x = x0; x < x0 + scale; x++) {
                grid.setRGB(x, y, rgb);
            }
        }
    }

    /** Through {@link AtomicFiles}: a reader never sees half a PNG, a full disk keeps the old one. */
    private static void write(BufferedImage grid, Path out) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        AtomicFiles.write(out, file -> {
            // An ImageOutputStream over an OutputStream would otherwise buffer in java.io.tmpdir.
            try (ImageOutputStream stream = new MemoryCacheImageOutputStream(file)) {
                if (!ImageIO.write(grid, "png", stream)) {
                    throw new IOException("no PNG writer in this Java runtime");
                }
            }
        });
    }
}
