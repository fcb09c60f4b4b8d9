package dev.contrastive.augment.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * CIFAR-10 and CIFAR-100 in their published binary versions, several batch files read as one
 * dataset in the order given.
 *
 * <p>A CIFAR-10 record is 3073 bytes: the label (0..9), then 1024 red, 1024 green and 1024 blue
 * bytes, each plane 32 x 32 in row-major order, which is already our C x H x W layout. A CIFAR-100
 * record is 3074 bytes: the coarse label (0..19), the fine label (0..99), then the same 3072 pixel
 * bytes.
 *
 * <p>The files have no header and no magic number. Checked at open: each file is a whole number of
 * records (a truncated file fails naming the offset of its incomplete record). Checked as each
 * record is read, before its image is returned: the label byte is in range (an out-of-range label
 * also shows a CIFAR-10 file opened as CIFAR-100 or the reverse). Both fail with {@link
 * DatasetFormatException}. {@link #get} is safe from several threads.
 */
public final class CifarDataset extends RecordDataset {

    /** Which CIFAR-100 label an image carries. */
    public enum Cifar100Labels {
        /** 100 classes, the usual benchmark. */
        FINE,
        /** 20 superclasses. */
        COARSE
    }

    static final int SIDE = 32;
    static final int PIXEL_BYTES = 3 * SIDE * SIDE;

    /** Bytes before the pixels in a record, and which of them is the label. */
    private final int labelBytes;

    private final int labelOffset;

    private CifarDataset(DatasetInfo info, List<RecordFile> parts, int labelBytes, int labelOffset) {
        super(info, parts);
        this.labelBytes = labelBytes;
        this.labelOffset = labelOffset;
    }

    /**
     * CIFAR-10 batch files ({@code data_batch_1.bin} ... {@code data_batch_5.bin}, {@code
     * test_batch.bin}).
     */
    public static CifarDataset open10(Path... files) throws IOException {
        return open("CIFAR-10", 1, 0, 10, files);
    }

    /** CIFAR-100 files ({@code train.bin}, {@code test.bin}) with their fine labels. */
    public static CifarDataset open100(Path... files) throws IOException {
        return open100(Cifar100Labels.FINE, files);
    }

    /** CIFAR-100 files with the fine (100 classes) or coarse (20 classes) labels. */
    public static CifarDataset open100(Cifar100Labels labels, Path... files) throws IOException {
        if (labels == null) {
            throw new IllegalArgumentException("cifar100.labels must be FINE or COARSE, got null");
        }
        boolean fine = labels == Cifar100Labels.FINE;
        return open("CIFAR-100", 2, fine ? 1 : 0, fine ? 100 : 20, files);
    }

    private static CifarDataset open(String kind, int labelBytes, int labelOffset, int classes, Path... files)
            throws IOException {
        if (files == null || files.length == 0) {
            throw new IllegalArgumentException(kind + " files must name at least one file, got none");
        }
        int recordBytes = labelBytes + PIXEL_BYTES;
        List<RecordFile> parts = new ArrayList<>();
        try {
            long records = 0;
            for (Path file : files) {
                RecordFile part =
                        RecordFile.wholeRecords(file, recordBytes, recordBytes + "-byte " + kind + " records");
                parts.add(part);
                records += part.records();
            }
            String name = kind + " " + Arrays.stream(files).map(Path::toString).collect(Collectors.joining(", "));
            int size = checkedSize(name, records);
            return new CifarDataset(
                    DatasetInfo.builder()
                            .name(name)
                            .size(size)
                            .channels(3)
                            .height(SIDE)
                            .width(SIDE)
                            .classes(classes)
                            .build(),
                    parts,
                    labelBytes,
                    labelOffset);
        } catch (IOException | RuntimeException e) {
            for (RecordFile part : parts) {
                try {
                    part.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    @Override
    Image decode(int index, RecordFile part, long indexInPart, byte[] record, int offset) {
        int label = Byte.toUnsignedInt(record[offset + labelOffset]);
        int classes = info().classes();
        if (label >= classes) {
            String which = labelBytes == 1 ? "label" : labelOffset == 1 ? "fine label" : "coarse label";
            throw new DatasetFormatException(
                    part.source(),
                    which
                            + " of record "
                            + indexInPart
                            + " (offset "
                            + (part.offsetOf(indexInPart) + labelOffset)
                            + ")",
                    "a value in [0, " + classes + ")",
                    Integer.toString(label));
        }
        byte[] pixels = Arrays.copyOfRange(record, offset + labelBytes, offset + part.recordBytes());
        return new Image(pixels, 3, SIDE, SIDE, label);
    }
}
