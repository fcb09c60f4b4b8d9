package dev.contrastive.augment.data;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * STL-10 in its published binary version: {@code train_X.bin}, {@code test_X.bin} and {@code
 * unlabeled_X.bin} hold 3 x 96 x 96 unsigned bytes per image, {@code train_y.bin} and {@code
 * test_y.bin} one byte per image, the class 1..10.
 *
 * <p>The STL-10 README says each image is stored "in column-major order, one channel at a time":
 * the first 96 x 96 bytes are red, then green, then blue, and within a channel the byte at {@code x
 * * 96 + y} is the pixel at row y, column x (MATLAB's layout). Images are transposed here to our
 * row-major C x H x W; labels become 0..9.
 *
 * <p>There is no header or magic number. Checked at open, failing with {@link
 * DatasetFormatException}: the X file is a whole number of images (truncated otherwise), the y file
 * has one label per image, every label is in 1..10. Labels are held in memory. {@link #get} is safe
 * from several threads.
 */
public final class Stl10Dataset extends RecordDataset {

    static final int SIDE = 96;
    static final int CLASSES = 10;
    static final int IMAGE_BYTES = 3 * SIDE * SIDE;

    /** Labels 0..9, or null for the unlabeled split. */
    private final byte[] labels;

    private Stl10Dataset(DatasetInfo info, RecordFile images, byte[] labels) {
        super(info, List.of(images));
        this.labels = labels;
    }

    /** A labeled split: {@code train_X.bin} with {@code train_y.bin}, or the test pair. */
    public static Stl10Dataset open(Path images, Path labels) throws IOException {
        RecordFile x = openImages(images);
        try (FileChannel y = FileChannel.open(labels, StandardOpenOption.READ)) {
            DatasetInfo info = info(images, x.records(), CLASSES);
            long size = y.size();
            if (size != x.records()) {
                throw new DatasetFormatException(
                        labels.toString(),
                        "label count (file size)",
                        x.records() + " labels, one byte per image in " + images,
                        size + " labels");
            }
            byte[] values = new byte[(int) size];
            try (RecordFile file = RecordFile.wholeRecords(labels.toString(), y, 1, "labels")) {
                file.read(0, values.length, values);
            }
            for (int i = 0; i < values.length; i++) {
                int label = Byte.toUnsignedInt(values[i]);
                if (label < 1 || label > CLASSES) {
                    throw new DatasetFormatException(
                            labels.toString(),
                            "label " + i + " (offset " + i + ")",
                            "a class in [1, " + CLASSES + "]",
                            Integer.toString(label));
                }
                values[i] = (byte) (label - 1);
            }
            return new Stl10Dataset(info, x, values);
        } catch (IOException | RuntimeException e) {
            x.close();
            throw e;
        }
    }

    /** The unlabeled split, {@code unlabeled_X.bin} (100,000 images, no labels file). */
    public static Stl10Dataset openUnlabeled(Path images) throws IOException {
        RecordFile x = openImages(images);
        try {
            return new Stl10Dataset(info(images, x.records(), 0), x, null);
        } catch (RuntimeException e) {
            x.close();
            throw e;
        }
    }

    private static RecordFile openImages(Path images) throws IOException {
        return RecordFile.wholeRecords(images, IMAGE_BYTES, IMAGE_BYTES + "-byte STL-10 images (3 x 96 x 96)");
    }

    private static DatasetInfo info(Path images, long records, int classes) {
        String name = "STL-10 " + images;
        return DatasetInfo.builder()
                .name(name)
                .size(checkedSize(name, records))
                .channels(3)
                .height(SIDE)
                .width(SIDE)
                .classes(classes)
                .build();
    }

    @Override
    Image decode(int index, RecordFile part, long indexInPart, byte[] record, int offset) {
        byte[] pixels = new byte[IMAGE_BYTES];
        int plane = SIDE * SIDE;
        for (int c = 0; c < 3; c++) {
            int base = offset + c * plane;
            for (int x = 0; x < SIDE; x++) {
                // Column x is contiguous in the file; scatter it down row-major column x.
                int column = base + x * SIDE;
                for (int y = 0; y < SIDE; y++) {
                    pixels[c * plane + y * SIDE + x] = record[column + y];
                }
            }
        }
        return new Image(pixels, 3, SIDE, SIDE, labels == null ? Image.UNLABELED : labels[index]);
    }
}
