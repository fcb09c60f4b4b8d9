package dev.contrastive.core.io;

import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * An element type and byte order of a {@code .npy} file, parsed from the header's {@code descr}.
 */
record NpyDtype(Kind kind, ByteOrder byteOrder) {

    /** Element kinds this package reads, by NumPy type code (the descr after its byte-order mark). */
    enum Kind {
        FLOAT32("f4", 4),
        FLOAT64("f8", 8),
        INT32("i4", 4),
        INT64("i8", 8),
        UINT8("u1", 1);

        final String code;
        final int itemSize;

        Kind(String code, int itemSize) {
            this.code = code;
            this.itemSize = itemSize;
        }

        boolean isFloat() {
            return this == FLOAT32 || this == FLOAT64;
        }
    }

    static final String SUPPORTED = "'<f4', '>f4', '<f8', '>f8', '<i4', '>i4', '<i8', '>i8', '|u1'";

    /** The descr NumPy itself writes for this type, for example {@code <f4} or {@code |u1}. */
    String descr() {
        if (kind.itemSize == 1) {
            return "|" + kind.code;
        }
        return (byteOrder == ByteOrder.LITTLE_ENDIAN ? "<" : ">") + kind.code;
    }

    /**
     * Parses a descr such as {@code <f4}. NumPy always writes an explicit byte order ({@code <} or
     * {@code >}), and {@code |} ("not applicable") for one-byte types, so that is all this accepts.
     */
    static NpyDtype parse(Path file, String descr) {
        if (descr.length() == 3) {
            char order = descr.charAt(0);
            String code = descr.substring(1);
            for (Kind kind : Kind.values()) {
                if (!kind.code.equals(code)) {
                    continue;
                }
                if (kind.itemSize == 1 && (order == '|' || order == '<' || order == '>')) {
                    return new NpyDtype(kind, ByteOrder.LITTLE_ENDIAN);
                }
                if (order == '<') {
                    return new NpyDtype(kind, ByteOrder.LITTLE_ENDIAN);
                }
                if (order == '>') {
                    return new NpyDtype(kind, ByteOrder.BIG_ENDIAN);
                }
            }
        }
        throw new NpyFormatException(
                file, "header field 'descr': unsupported dtype '" + descr + "', expected one of " + SUPPORTED);
    }
}
