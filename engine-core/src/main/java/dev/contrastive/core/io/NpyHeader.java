package dev.contrastive.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The header of a {@code .npy} file (format versions 1.0 and 2.0): element type, shape, and the
 * byte offset where the C-order data starts.
 *
 * <p>Layout: the magic {@code \x93NUMPY}, major and minor version bytes, the header length (uint16
 * little-endian in 1.0, uint32 in 2.0), then an ASCII Python dict literal with exactly the keys
 * {@code descr}, {@code fortran_order} and {@code shape}, padded with spaces and a newline.
 */
record NpyHeader(NpyDtype dtype, long[] shape, long elementCount, long dataOffset) {

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /**
     * NumPy pads the preamble and header to this many bytes so the data can be memory-mapped aligned.
     */
    private static final int ALIGNMENT = 64;

    /**
     * NumPy leaves room for the first dimension to grow to this many digits without moving the data.
     */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    /**
     * Guards against allocating a huge buffer for a corrupt length field; real headers are ~100
     * bytes.
     */
    private static final int MAX_HEADER_BYTES = 1 << 20;

    /** Java arrays and heap byte buffers are indexed by int. */
    private static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 8;

    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

    long dataBytes() {
        return elementCount * dtype.kind().itemSize;
    }

    /** Reads and validates the preamble and header; leaves the channel position unspecified. */
    static NpyHeader read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        ByteBuffer preamble = readAt(channel, 0, (int) Math.min(fileSize, 12));
        byte[] start = new byte[Math.min(preamble.remaining(), MAGIC.length)];
        preamble.get(0, start);
        if (!Arrays.equals(start, MAGIC)) {
            throw new NpyFormatException(
                    file,
                    "wrong magic at byte 0: expected \\x93NUMPY, found '"
                            + printable(start)
                            + "'"
                            + (fileSize < MAGIC.length ? " (the file has only " + fileSize + " bytes)" : ""));
        }
        if (fileSize < 8) {
            throw new NpyFormatException(
                    file, "truncated preamble: expected version bytes at byte 6, file has " + fileSize + " bytes");
        }
        int major = Byte.toUnsignedInt(preamble.get(6));
        int minor = Byte.toUnsignedInt(preamble.get(7));
        if ((major != 1 && major != 2) || minor != 0) {
            throw new NpyFormatException(
                    file,
                    "unsupported format version "
                            + major
                            + "."
                            + minor
                            + " at byte 6: expected 1.0 or 2.0 (version 3.0 means a UTF-8 header; save with"
                            + " ASCII field names)");
        }
        int lengthFieldSize = major == 1 ? 2 : 4;
        long headerStart = 8L + lengthFieldSize;
        if (fileSize < headerStart) {
            throw new NpyFormatException(
                    file,
                    "truncated preamble: expected a "
                            + lengthFieldSize
                            + "-byte header length at byte 8,"
                            + " file has "
                            + fileSize
                            + " bytes");
        }
        preamble.order(ByteOrder.LITTLE_ENDIAN);
        long headerLength =
                major == 1 ? Short.toUnsignedInt(preamble.getShort(8)) : Integer.toUnsignedLong(preamble.getInt(8));
        if (headerLength > MAX_HEADER_BYTES) {
            throw new NpyFormatException(
                    file,
                    "header length field at byte 8 says "
                            + headerLength
                            + " bytes, expected at most "
                            + MAX_HEADER_BYTES);
        }
        if (headerStart + headerLength > fileSize) {
            throw new NpyFormatException(
                    file,
                    "truncated header: expected "
                            + headerLength
                            + " bytes of header after byte "
                            + headerStart
                            + ", found "
                            + (fileSize - headerStart));
        }
        byte[] headerBytes = new byte[(int) headerLength];
        readAt(channel, headerStart, headerBytes.length).get(headerBytes);
        for (int i = 0; i < headerBytes.length; i++) {
            if (headerBytes[i] < 0) {
                throw new NpyFormatException(
                        file,
                        "bad header dict: byte "
                                + (headerStart + i)
                                + " is not ASCII (0x"
                                + Integer.toHexString(Byte.toUnsignedInt(headerBytes[i]))
                                + ")");
            }
        }
        String text = new String(headerBytes, StandardCharsets.US_ASCII);
        Map<String, Object> dict = new DictParser(file, text, headerStart).parse();
        return fromDict(file, dict, headerStart + headerLength);
    }

    private static NpyFormatException badKey(Path file, String what, String key) {
        return new NpyFormatException(
                file,
                "bad header dict: " + what + " key '" + key + "', expected exactly 'descr', 'fortran_order', 'shape'");
    }

    private static NpyHeader fromDict(Path file, Map<String, Object> dict, long dataOffset) {
        for (String key : dict.keySet()) {
            if (!KEYS.contains(key)) {
                throw badKey(file, "unexpected", key);
            }
        }
        for (String key : List.of("descr", "fortran_order", "shape")) {
            if (!dict.containsKey(key)) {
                throw badKey(file, "missing", key);
            }
        }
        Object descr = dict.get("descr");
        if (!(descr instanceof String descrText)) {
            throw new NpyFormatException(
                    file,
                    "header field 'descr': unsupported dtype "
                            + DictParser.repr(descr)
                            + " (a structured or nested dtype), expected one of "
                            + NpyDtype.SUPPORTED);
        }
        NpyDtype dtype = NpyDtype.parse(file, descrText);
        Object fortranOrder = dict.get("fortran_order");
        if (!(fortranOrder instanceof Boolean fortran)) {
            throw new NpyFormatException(
                    file,
                    "header field 'fortran_order': expected True or False, found " + DictParser.repr(fortranOrder));
        }
        if (fortran) {
            throw new NpyFormatException(
                    file,
                    "header field 'fortran_order': expected False (C order), found True;"
                            + " save np.ascontiguousarray(x) instead");
        }
        long[] shape = shape(file, dict.get("shape"));
        long count = elementCount(shape, MAX_DATA_BYTES / dtype.kind().itemSize);
        if (count < 0) {
            throw new NpyFormatException(
                    file,
                    "header field 'shape': "
                            + DictParser.repr(dict.get("shape"))
                            + " of "
                            + dtype.descr()
                            + " holds more than the "
                            + MAX_DATA_BYTES
                            + " bytes this reader supports");
        }
        return new NpyHeader(dtype, shape, count, dataOffset);
    }

    private static long[] shape(Path file, Object value) {
        if (value instanceof Tuple tuple
                && tuple.items().stream().allMatch(dim -> dim instanceof Long size && size >= 0)) {
            return tuple.items().stream().mapToLong(dim -> (Long) dim).toArray();
        }
        throw new NpyFormatException(
                file,
                "header field 'shape': expected a tuple of non-negative integers, found " + DictParser.repr(value));
    }

    /** Product of the dimensions, or -1 if it exceeds {@code limit}. */
    private static long elementCount(long[] shape, long limit) {
        if (Arrays.stream(shape).anyMatch(dim -> dim == 0)) {
            return 0;
        }
        long count = 1;
        for (long dim : shape) {
            if (count > limit / dim) {
                return -1;
            }
            count *= dim;
        }
        return count;
    }

    /** Header bytes exactly as NumPy 2.x writes them for format version 1.0. */
    static byte[] encodeVersion1(NpyDtype dtype, long[] shape) {
        StringBuilder dict = new StringBuilder("{'descr': '")
                .append(dtype.descr())
                .append("', 'fortran_order': False, 'shape': ")
                .append(pythonTuple(shape))
                .append(", }");
        if (shape.length > 0) {
            dict.append(
                    " ".repeat(GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length()));
        }
        int withNewline = dict.length() + 1;
        int padding = ALIGNMENT - (MAGIC.length + 2 + 2 + withNewline) % ALIGNMENT;
        int headerLength = withNewline + padding;
        if (headerLength > 0xFFFF) {
            throw new IllegalArgumentException("shape "
                    + Arrays.toString(shape)
                    + " needs a "
                    + headerLength
                    + "-byte header, more than format version 1.0 allows (65535)");
        }
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + headerLength).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) headerLength);
        out.put(dict.toString().getBytes(StandardCharsets.US_ASCII));
        out.put(" ".repeat(padding).getBytes(StandardCharsets.US_ASCII)).put((byte) '\n');
        return out.array();
    }

    private static String pythonTuple(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    /** Reads up to {@code length} bytes at {@code position}; fewer only at the end of the file. */
    static ByteBuffer readAt(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position + buffer.position());
            if (read < 0) {
                break;
            }
        }
        return buffer.flip();
    }

    private static String printable(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            int u = Byte.toUnsignedInt(b);
            s.append(u >= 0x20 && u < 0x7F ? String.valueOf((char) u) : String.format("\\x%02x", u));
        }
        return s.toString();
    }

    /** A Python tuple literal, which the header's shape must be (a list is not accepted by NumPy). */
    record Tuple(List<Object> items) {}

    /** Python's None, which may appear in a header but is never a valid field value. */
    private enum PythonNone {
        NONE;

        @Override
        public String toString() {
            return "None";
        }
    }

    /**
     * Parses the subset of Python literals NumPy headers use: a dict of quoted keys to strings, ints,
     * True/False/None, tuples and lists.
     */
    private static final class DictParser {

        private final Path file;
        private final String text;
        private final long fileOffset;
        private int pos;

        DictParser(Path file, String text, long fileOffset) {
            this.file = file;
            this.text = text;
            this.fileOffset = fileOffset;
        }

        Map<String, Object> parse() {
            skipSpace();
            expect('{');
            Map<String, Object> dict = new LinkedHashMap<>();
            skipSpace();
            while (peek() != '}') {
                int keyAt = pos;
                Object key = value();
                if (!(key instanceof String name)) {
                    throw fail(keyAt, "a quoted key", repr(key));
                }
                skipSpace();
                expect(':');
                Object value = value();
                if (dict.putIfAbsent(name, value) != null) {
                    throw fail(keyAt, "each key once", "'" + name + "' again");
                }
                skipSpace();
                if (peek() == ',') {
                    pos++;
                    skipSpace();
                } else if (peek() != '}') {
                    throw fail(pos, "',' or '}'", found());
                }
            }
            pos++;
            skipSpace();
            if (pos != text.length()) {
                throw fail(pos, "only spaces and a newline after '}'", found());
            }
            return dict;
        }

        private Object value() {
            skipSpace();
            char c = peek();
            if (c == '\'' || c == '"') {
                return string(c);
            }
            if (c == '(') {
                List<Object> items = new ArrayList<>();
                boolean trailingComma = sequence(')', items);
                // Python reads "(3)" as the int 3; only "(3,)" is a one-element tuple.
                return items.size() == 1 && !trailingComma ? items.get(0) : new Tuple(List.copyOf(items));
            }
            if (c == '[') {
                List<Object> items = new ArrayList<>();
                sequence(']', items);
                return List.copyOf(items);
            }
            if (c == '-' || Character.isDigit(c)) {
                return integer();
            }
            int start = pos;
            while (pos < text.length() && Character.isLetter(text.charAt(pos))) {
                pos++;
            }
            switch (text.substring(start, pos)) {
                case "True":
                    return Boolean.TRUE;
                case "False":
                    return Boolean.FALSE;
                case "None":
                    return PythonNone.NONE;
                default:
                    pos = start;
                    throw fail(start, "a string, integer, True, False, None, tuple or list", found());
            }
        }

        /** Reads items up to {@code close}; returns whether the last item was followed by a comma. */
        private boolean sequence(char close, List<Object> items) {
            pos++;
            skipSpace();
            boolean trailingComma = false;
            while (peek() != close) {
                items.add(value());
                skipSpace();
                trailingComma = false;
                if (peek() == ',') {
                    pos++;
                    skipSpace();
                    trailingComma = true;
                } else if (peek() != close) {
                    throw fail(pos, "',' or '" + close + "'", found());
                }
            }
            pos++;
            return trailingComma;
        }

        private String string(char quote) {
            int start = ++pos;
            while (pos < text.length() && text.charAt(pos) != quote) {
                if (text.charAt(pos) == '\\') {
                    throw fail(pos, "a string without escape sequences", "'\\'");
                }
                pos++;
            }
            if (pos == text.length()) {
                throw fail(start - 1, "a closing " + quote, "the end of the header");
            }
            return text.substring(start, pos++);
        }

        private Long integer() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                pos++;
            }
            try {
                return Long.parseLong(text.substring(start, pos));
            } catch (NumberFormatException e) {
                throw fail(start, "an integer that fits in 64 bits", "'" + text.substring(start, pos) + "'");
            }
        }

        private void expect(char c) {
            if (peek() != c) {
                throw fail(pos, "'" + c + "'", found());
            }
            pos++;
        }

        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        private void skipSpace() {
            while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
        }

        private String found() {
            return pos < text.length() ? "'" + text.charAt(pos) + "'" : "the end of the header";
        }

        private NpyFormatException fail(int at, String expected, String found) {
            return new NpyFormatException(
                    file,
                    "bad header dict at byte "
                            + (fileOffset + at)
                            + ": expected "
                            + expected
                            + ", found "
                            + found
                            + " in "
                            + text.strip());
        }

        static String repr(Object value) {
            if (value instanceof String s) {
                return "'" + s + "'";
            }
            if (value instanceof Boolean b) {
                return b ? "True" : "False";
            }
            if (value instanceof Tuple t) {
                String items = t.items().stream().map(DictParser::repr).collect(Collectors.joining(", "));
                return "(" + items + (t.items().size() == 1 ? ",)" : ")");
            }
            if (value instanceof List<?> list) {
                return list.stream().map(DictParser::repr).collect(Collectors.joining(", ", "[", "]"));
            }
            return String.valueOf(value);
        }
    }
}
