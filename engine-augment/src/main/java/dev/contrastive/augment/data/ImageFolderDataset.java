package dev.contrastive.augment.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/**
 * Images in a folder with one subfolder per class, as torchvision's ImageFolder: {@code
 * root/<class>/<image>.png}. Classes are the subfolder names in sorted order, numbered from 0;
 * images are PNG or JPEG files (by extension, case-insensitive), sorted by name within a class and
 * decoded by ImageIO. Hidden entries (names starting with '.') and other files are skipped.
 *
 * <p>Every image must have the size of the first one: images are not resized here, that is the
 * augmentations' job. Open reads every file's header (not its pixels) to check this, so a wrong
 * size fails at open with a {@link DatasetFormatException} naming the first file that differs; so
 * does a file no ImageIO reader accepts, or a folder without images. A file whose pixels do not
 * decode (or decode with a warning, as a truncated JPEG does) fails when it is read.
 *
 * <p>Colour: {@link ColorMode#GRAYSCALE} or {@link ColorMode#RGB}, or {@link ColorMode#DETECT} from
 * the first image. Grey images become RGB by repeating the grey value; colour images become grey by
 * the ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B), rounded. Alpha is dropped, not composited.
 * Grey samples are read from the raster, not through {@code getRGB}, which would apply a
 * colour-space conversion to them; 16-bit samples keep their high byte, 1 to 4-bit ones are
 * stretched to 0..255.
 *
 * <p>{@link #get} is safe from several threads (each call uses its own ImageIO reader).
 */
public final class ImageFolderDataset extends AbstractDataset {

    /** How many channels images get. */
    public enum ColorMode {
        /** Grayscale if the first image (of the first class) is grayscale, else RGB. */
        DETECT,
        /** One channel. */
        GRAYSCALE,
        /** Three channels. */
        RGB
    }

    private record Entry(Path file, int label) {}

    private final List<Entry> entries;

    private ImageFolderDataset(DatasetInfo info, List<Entry> entries) {
        super(info);
        this.entries = entries;
    }

    /** Opens {@code root}, detecting grayscale or RGB from the first image. */
    public static ImageFolderDataset open(Path root) throws IOException {
        return open(root, ColorMode.DETECT);
    }

    /**
     * Opens {@code root} with images converted to {@code mode}.
     *
     * @throws DatasetFormatException if there are no class folders or images, a file is not a PNG or
     *     JPEG ImageIO can read, or an image's size differs from the first one's
     * @throws IOException if the folder cannot be listed or a file cannot be read
     */
    public static ImageFolderDataset open(Path root, ColorMode mode) throws IOException {
        if (mode == null) {
            throw new IllegalArgumentException("imagefolder.mode must be DETECT, GRAYSCALE or RGB, got null");
        }
        if (!Files.isDirectory(root)) {
            throw new NotDirectoryException(root.toString());
        }
        List<Path> classes = sorted(root, Files::isDirectory);
        if (classes.isEmpty()) {
            throw new DatasetFormatException(
                    root.toString(), "class folders", "one subfolder per class", "no subfolders");
        }
        List<Entry> entries = new ArrayList<>();
        for (int label = 0; label < classes.size(); label++) {
            for (Path file : sorted(classes.get(label), ImageFolderDataset::isImageFile)) {
                entries.add(new Entry(file, label));
            }
        }
        if (entries.isEmpty()) {
            throw new DatasetFormatException(
                    root.toString(),
                    "images",
                    "PNG or JPEG files (.png, .jpg, .jpeg) in the class folders",
                    "none in " + classes.size() + " class folders");
        }
        Header first = header(entries.get(0).file);
        for (Entry entry : entries.subList(1, entries.size())) {
            Header header = header(entry.file);
            if (header.width != first.width || header.height != first.height) {
                throw new DatasetFormatException(
                        entry.file.toString(),
                        "image size (width x height)",
                        first.width + " x " + first.height + ", the size of " + entries.get(0).file,
                        header.width + " x " + header.height);
            }
        }
        boolean gray = mode == ColorMode.GRAYSCALE || (mode == ColorMode.DETECT && first.gray);
        DatasetInfo info = DatasetInfo.builder()
                .name(root.toString())
                .size(entries.size())
                .channels(gray ? 1 : 3)
                .height(first.height)
                .width(first.width)
                .classes(classes.size())
                .build();
        return new ImageFolderDataset(info, List.copyOf(entries));
    }

    private static List<Path> sorted(Path folder, java.util.function.Predicate<Path> keep) throws IOException {
        try (Stream<Path> children = Files.list(folder)) {
            return children.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(keep)
                    .sorted()
                    .toList();
        }
    }

    private static boolean isImageFile(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(file) && (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg"));
    }

    private record Header(int width, int height, boolean gray) {}

    private static Header header(Path file) throws IOException {
        return withReader(file, "image header", reader -> {
            Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
            boolean gray = types.hasNext() && isGray(types.next().getColorModel());
            return new Header(reader.getWidth(0), reader.getHeight(0), gray);
        });
    }

    private static boolean isGray(ColorModel model) {
        return !(model instanceof IndexColorModel) && model.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
    }

    @FunctionalInterface
    private interface ReaderAction<T> {
        T apply(ImageReader reader) throws IOException;
    }

    /**
     * Runs {@code action} on an ImageIO reader for {@code file}. Decoder errors and warnings become a
     * {@link DatasetFormatException}: a truncated JPEG only warns ("Truncated File - Missing EOI
     * marker") and would otherwise come back grey-filled.
     */
    private static <T> T withReader(Path file, String where, ReaderAction<T> action) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new IOException("cannot open " + file);
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DatasetFormatException(
                        file.toString(),
                        where + " (offset 0)",
                        "a PNG or JPEG image",
                        "a format no ImageIO reader recognises");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            try {
                reader.setInput(in, true, true);
                T result = action.apply(reader);
                if (!warnings.isEmpty()) {
                    throw new DatasetFormatException(
                            file.toString(),
                            where,
                            "a complete, undamaged " + reader.getFormatName() + " image",
                            "decoder warning: " + String.join("; ", warnings));
                }
                return result;
            } catch (IIOException e) {
                throw new DatasetFormatException(
                        file.toString(),
                        where,
                        "a complete, undamaged " + reader.getFormatName() + " image",
                        "decoder error: " + e.getMessage());
            } finally {
                reader.dispose();
            }
        }
    }

    @Override
    Image read(int index) {
        Entry entry = entries.get(index);
        BufferedImage image;
        try {
            image = withReader(entry.file, "image data", reader -> reader.read(0));
        } catch (IOException e) {
            throw new UncheckedIOException("reading image " + index + " of " + info.name(), e);
        }
        int width = info.width();
        int height = info.height();
        if (image.getWidth() != width || image.getHeight() != height) {
            throw new DatasetFormatException(
                    entry.file.toString(),
                    "image size (width x height)",
                    width + " x " + height,
                    image.getWidth() + " x " + image.getHeight() + " (the file changed after open)");
        }
        return new Image(pixels(image), info.channels(), height, width, entry.label);
    }

    /** C x H x W bytes in this dataset's colour mode. */
    private byte[] pixels(BufferedImage image) {
        int plane = info.width() * info.height();
        byte[] out = new byte[info.channels() * plane];
        if (isGray(image.getColorModel())) {
            Raster raster = image.getRaster();
            int[] samples = raster.getSamples(0, 0, info.width(), info.height(), 0, (int[]) null);
            int bits = raster.getSampleModel().getSampleSize(0);
            for (int i = 0; i < plane; i++) {
                // 16-bit keeps its high byte; 1, 2 and 4-bit PNG greys stretch to 0..255.
                int value = bits >= 8 ? samples[i] >>> (bits - 8) : samples[i] * 255 / ((1 << bits) - 1);
                for (int c = 0; c < info.channels(); c++) {
                    out[c * plane + i] = (byte) value;
                }
            }
            return out;
        }
        int[] argb = image.getRGB(0, 0, info.width(), info.height(), null, 0, info.width());
        for (int i = 0; i < plane; i++) {
            int r = (argb[i] >> 16) & 0xFF;
            int g = (argb[i] >> 8) & 0xFF;
            int b = argb[i] & 0xFF;
            if (info.channels() == 1) {
                out[i] = (byte) ((299 * r + 587 * g + 114 * b + 500) / 1000);
            } else {
                out[i] = (byte) r;
                out[plane + i] = (byte) g;
                out[2 * plane + i] = (byte) b;
            }
        }
        return out;
    }

    /** Nothing to release: every read opens and closes its own file. */
    @Override
    public void close() {}
}
