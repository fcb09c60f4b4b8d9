package dev.contrastive.augment.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.function.Executable;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** Writes dataset files in their published byte layouts, and compares and checks datasets. */
final class DataFiles {

    private DataFiles() {}

    /** Random images of one shape with labels in [0, classes), or unlabeled if classes is 0. */
    static List<Image> randomImages(long seed, int count, int channels, int height, int width, int classes) {
        Random random = new Random(seed);
        List<Image> images = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] pixels = new byte[channels * height * width];
            random.nextBytes(pixels);
            images.add(new Image(
                    pixels, channels, height, width, classes == 0 ? Image.UNLABELED : random.nextInt(classes)));
        }
        return images;
    }

    /** IDX images bytes: magic 0x803, count, rows, columns, pixels. */
    static byte[] idxImages(List<Image> images, int rows, int columns) {
        ByteBuffer out = ByteBuffer.allocate(16 + images.size() * rows * columns);
        out.putInt(0x803).putInt(images.size()).putInt(rows).putInt(columns);
        images.forEach(image -> out.put(image.pixels()));
        return out.array();
    }

    /** IDX labels bytes: magic 0x801, count, one byte per label. */
    static byte[] idxLabels(List<Image> images) {
        ByteBuffer out = ByteBuffer.allocate(8 + images.size());
        out.putInt(0x801).putInt(images.size());
        images.forEach(image -> out.put((byte) image.label()));
        return out.array();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    static byte[] xz(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new XZOutputStream(bytes, new LZMA2Options(1))) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    /** CIFAR-10 records: label byte, then 3072 pixel bytes (R, G, B planes, row-major). */
    static byte[] cifar10(List<Image> images) {
        ByteBuffer out = ByteBuffer.allocate(images.size() * 3073);
        images.forEach(image -> out.put((byte) image.label()).put(image.pixels()));
        return out.array();
    }

    /** CIFAR-100 records: coarse label, fine label, then 3072 pixel bytes. */
    static byte[] cifar100(List<Image> images, int[] coarse) {
        ByteBuffer out = ByteBuffer.allocate(images.size() * 3074);
        for (int i = 0; i < images.size(); i++) {
            out.put((byte) coarse[i])
                    .put((byte) images.get(i).label())
                    .put(images.get(i).pixels());
        }
        return out.array();
    }

    /** STL-10 X bytes: per image 3 channels, each 96 x 96 stored column-major (x * 96 + y). */
    static byte[] stl10Images(List<Image> images) {
        ByteBuffer out = ByteBuffer.allocate(images.size() * 3 * 96 * 96);
        for (Image image : images) {
            for (int c = 0; c < 3; c++) {
                for (int x = 0; x < 96; x++) {
                    for (int y = 0; y < 96; y++) {
                        out.put((byte) image.pixel(c, y, x));
                    }
                }
            }
        }
        return out.array();
    }

    /** STL-10 y bytes: the class 1..10 per image. */
    static byte[] stl10Labels(List<Image> images) {
        byte[] out = new byte[images.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (images.get(i).label() + 1);
        }
        return out;
    }

    /**
     * A {@code .npy} file, format 1.0, as {@code np.save} writes it: the header dict padded with
     * spaces to a multiple of 64 bytes, then {@code data}.
     *
     * @param descr the dtype, e.g. "|u1", "<f4", ">f8"
     */
    static byte[] npy(String descr, long[] shape, byte[] data) {
        String tuple = shape.length == 1
                ? "(" + shape[0] + ",)"
                : Arrays.stream(shape)
                        .mapToObj(Long::toString)
                        .collect(java.util.stream.Collectors.joining(", ", "(", ")"));
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + tuple + ", }";
        int length = dict.length() + 1;
        length += (64 - (10 + length) % 64) % 64;
        ByteBuffer out = ByteBuffer.allocate(10 + length + data.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) length);
        String padded = dict + " ".repeat(length - dict.length() - 1) + "\n";
        out.put(padded.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put(data);
        return out.array();
    }

    /** The pixels of {@code images}, one after another: a uint8 N x C x H x W array's data. */
    static byte[] pixels(List<Image> images) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        images.forEach(image -> out.writeBytes(image.pixels()));
        return out.toByteArray();
    }

    static Path write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, bytes);
    }

    /** The first {@code length} bytes of {@code file}, rewritten in place. */
    static void truncate(Path file, long length) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, (int) length));
    }

    /** The info a reader must give, every field named in the builder's order. */
    static DatasetInfo info(String name, int size, int channels, int height, int width, int classes) {
        return DatasetInfo.builder()
                .name(name)
                .size(size)
                .channels(channels)
                .height(height)
                .width(width)
                .classes(classes)
                .build();
    }

    /** The message of the {@link DatasetFormatException} that {@code read} must throw. */
    static String formatError(Executable read) {
        return assertThrows(DatasetFormatException.class, read).getMessage();
    }

    /** Every image by get(i), and checks that stream() gives the same ones in order. */
    static List<Image> readAll(Dataset dataset) {
        List<Image> byIndex = new ArrayList<>();
        for (int i = 0; i < dataset.size(); i++) {
            byIndex.add(dataset.get(i));
        }
        List<Image> streamed = new ArrayList<>();
        for (Iterator<Image> it = dataset.stream(); it.hasNext(); ) {
            streamed.add(it.next());
        }
        assertEquals(byIndex, streamed, "stream() must give get(0), get(1), ... in order");
        return byIndex;
    }
}
