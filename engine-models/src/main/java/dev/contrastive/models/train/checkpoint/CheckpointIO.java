package dev.contrastive.models.train.checkpoint;

import dev.contrastive.core.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes and reads checkpoint files (layout in the package documentation) and finds the newest
 * valid one in a run directory.
 */
public final class CheckpointIO {

    /** The format version this class writes and the only one it reads. */
    public static final int FORMAT_VERSION = 1;

    static final byte[] MAGIC = {(byte) 0x89, 'C', 'K', 'P', 'T', '\r', '\n', 0x1A};
    static final int PREFIX_BYTES = 28;
    static final int TRAILER_BYTES = 4;

    /**
     * Headers hold names, shapes, counters and a config: kilobytes. The bound keeps a damaged but
     * checksum-consistent length from allocating gigabytes.
     */
    static final int MAX_HEADER_BYTES = 64 << 20;

    private static final int CHUNK_FLOATS = 1 << 18;
    private static final Pattern NAME = Pattern.compile("ckpt-(\\d{9,18})\\.bin");
    private static final String TEMP_SUFFIX = ".tmp";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointIO.class);

    private CheckpointIO() {}

    /**
     * The file name of the checkpoint for {@code step} in a run directory, e.g. ckpt-000001234.bin.
     */
    public static String fileName(long step) {
        return String.format("ckpt-%09d.bin", step);
    }

    /**
     * Writes {@code checkpoint} to {@code target} with {@link AtomicFiles}, so that {@code target} is
     * at all times either absent, its previous content, or the complete new file: the bytes go to a
     * temp file in the same directory, which is fsync'd, renamed over {@code target} with
     * ATOMIC_MOVE, and the directory fsync'd. On failure the temp file is deleted and the IOException
     * names {@code target} and the cause (for example "No space left on device").
     */
    public static void write(Path target, Checkpoint checkpoint) throws IOException {
        write(target, checkpoint, UnaryOperator.identity());
    }

    /**
     * {@link #write(Path, Checkpoint)} with the file stream decorated; tests inject failures here.
     */
    static void write(Path target, Checkpoint checkpoint, UnaryOperator<OutputStream> decorate) throws IOException {
        AtomicFiles.write(target, out -> {
            OutputStream file = decorate.apply(out);
            writeTo(file, checkpoint);
            file.flush();
        });
    }

    /** Serialises {@code c} in the file format to {@code out}; does not close it. */
    public static void writeTo(OutputStream out, Checkpoint c) throws IOException {
        byte[] header = JSON.writeValueAsBytes(headerOf(c));
        long dataBytes = 0;
        for (Checkpoint.Tensor t : c.tensors().values()) {
            dataBytes += 4L * t.data().length;
        }
        ByteBuffer prefix = ByteBuffer.allocate(PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        prefix.put(MAGIC).putInt(FORMAT_VERSION).putInt(header.length).putLong(dataBytes);
        CRC32C prefixCrc = new CRC32C();
        prefixCrc.update(prefix.array(), 0, prefix.position());
        prefix.putInt((int) prefixCrc.getValue());

        CheckedOutputStream checked = new CheckedOutputStream(out, new CRC32C());
        checked.write(prefix.array());
        checked.write(header);
        ByteBuffer chunk = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
        for (Checkpoint.Tensor t : c.tensors().values()) {
            float[] data = t.data();
            for (int from = 0; from < data.length; from += CHUNK_FLOATS) {
                int n = Math.min(CHUNK_FLOATS, data.length - from);
                chunk.clear();
                chunk.asFloatBuffer().put(data, from, n);
                checked.write(chunk.array(), 0, 4 * n);
            }
        }
        ByteBuffer trailer = ByteBuffer.allocate(TRAILER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        trailer.putInt((int) checked.getChecksum().getValue());
        out.write(trailer.array());
    }

    private static ObjectNode headerOf(Checkpoint c) {
        ObjectNode h = JSON.createObjectNode();
        h.put("step", c.step());
        h.put("epoch", c.epoch());
        h.put("positionInEpoch", c.positionInEpoch());
        h.set("config", c.config());
        ObjectNode state = h.putObject("state");
        c.state().forEach((k, v) -> {
            ArrayNode a = state.putArray(k);
            for (long x : v) {
                a.add(x);
            }
        });
        ObjectNode meta = h.putObject("metadata");
        c.metadata().forEach(meta::put);
        ArrayNode tensors = h.putArray("tensors");
        c.tensors().forEach((k, t) -> {
            ObjectNode e = tensors.addObject();
            e.put("name", k);
            ArrayNode shape = e.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
        });
        return h;
    }

    /**
     * Reads and fully verifies a checkpoint: size, magic, prefix CRC, version, expected length,
     * trailing CRC over the whole file, then the header's consistency with the data length. Nothing
     * is parsed before the checksums pass, so any damaged byte is reported as such.
     *
     * @throws CheckpointFormatException if the file is not a complete, undamaged version-1 checkpoint
     * @throws IOException on an I/O error reading it
     */
    public static Checkpoint read(Path file) throws IOException {
        long size = Files.size(file);
        if (size < PREFIX_BYTES) {
            throw new CheckpointFormatException(
                    file, "truncated: the fixed prefix needs " + PREFIX_BYTES + " bytes, the file has " + size);
        }
        ByteBuffer prefix = ByteBuffer.allocate(PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try (InputStream in = Files.newInputStream(file)) {
            prefix.put(in.readNBytes(PREFIX_BYTES)).flip();
        }
        byte[] magic = new byte[MAGIC.length];
        prefix.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new CheckpointFormatException(
                    file,
                    "wrong magic at offset 0: expected "
                            + hex(MAGIC)
                            + ", found "
                            + hex(magic)
                            + " (not a checkpoint file)");
        }
        int version = prefix.getInt();
        long headerBytes = Integer.toUnsignedLong(prefix.getInt());
        long dataBytes = prefix.getLong();
        int storedPrefixCrc = prefix.getInt();
        CRC32C prefixCrc = new CRC32C();
        prefixCrc.update(prefix.array(), 0, PREFIX_BYTES - 4);
        if ((int) prefixCrc.getValue() != storedPrefixCrc) {
            throw new CheckpointFormatException(
                    file,
                    String.format(
                            "prefix checksum mismatch at offset 24: stored CRC32C %08x, computed %08x over bytes [0, 24)",
                            storedPrefixCrc, (int) prefixCrc.getValue()));
        }
        if (version != FORMAT_VERSION) {
            throw new CheckpointFormatException(
                    file,
                    "unknown format version at offset 8: expected "
                            + FORMAT_VERSION
                            + ", found "
                            + Integer.toUnsignedString(version));
        }
        if (headerBytes > MAX_HEADER_BYTES || dataBytes < 0 || dataBytes % 4 != 0) {
            throw new CheckpointFormatException(
                    file,
                    "implausible lengths at offset 12: header "
                            + headerBytes
                            + " bytes (max "
                            + MAX_HEADER_BYTES
                            + "), data "
                            + dataBytes
                            + " bytes (must be a non-negative multiple of 4)");
        }
        long expected = PREFIX_BYTES + headerBytes + dataBytes + TRAILER_BYTES;
        if (size != expected) {
            throw new CheckpointFormatException(
                    file,
                    (size < expected ? "truncated" : "trailing bytes")
                            + ": expected "
                            + expected
                            + " bytes (header "
                            + headerBytes
                            + ", data "
                            + dataBytes
                            + "), the file has "
                            + size);
        }
        verifyTrailingChecksum(file, size);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            in.skipNBytes(PREFIX_BYTES);
            byte[] header = in.readNBytes((int) headerBytes);
            return parse(file, header, dataBytes, in);
        }
    }

    private static void verifyTrailingChecksum(Path file, long size) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        ByteBuffer trailer = ByteBuffer.allocate(TRAILER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = 0;
            long end = size - TRAILER_BYTES;
            while (pos < end) {
                buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new CheckpointFormatException(
                            file,
                            "truncated while reading at offset "
                                    + pos
                                    + ": the file shrank below its size of "
                                    + size
                                    + " bytes");
                }
                buf.flip();
                crc.update(buf);
                pos += n;
            }
            while (trailer.hasRemaining()) {
                if (ch.read(trailer, end + trailer.position()) < 0) {
                    throw new CheckpointFormatException(file, "truncated while reading the trailer at offset " + end);
                }
            }
        }
        int stored = trailer.flip().getInt();
        int computed = (int) crc.getValue();
        if (stored != computed) {
            throw new CheckpointFormatException(
                    file,
                    String.format(
                            "checksum mismatch at offset %d: stored CRC32C %08x, computed %08x over bytes [0, %d)",
                            size - TRAILER_BYTES, stored, computed, size - TRAILER_BYTES));
        }
    }

    private static Checkpoint parse(Path file, byte[] headerBytes, long dataBytes, InputStream data)
            throws IOException {
        JsonNode h;
        try {
            h = JSON.readTree(headerBytes);
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(
                    file, "header at offset " + PREFIX_BYTES + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (h == null || !h.isObject()) {
            throw new CheckpointFormatException(
                    file,
                    "header at offset "
                            + PREFIX_BYTES
                            + ": expected a JSON object, found "
                            + new String(headerBytes, StandardCharsets.UTF_8));
        }
        long step = longField(file, h, "step");
        long epoch = longField(file, h, "epoch");
        long position = longField(file, h, "positionInEpoch");
        if (epoch > Integer.MAX_VALUE) {
            throw new CheckpointFormatException(file, "header field epoch: expected an int, found " + epoch);
        }
        JsonNode config = field(file, h, "config");

        Map<String, long[]> state = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it =
                        objectField(file, h, "state").fields();
                it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            state.put(e.getKey(), longs(file, e.getValue(), "state." + e.getKey()));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it =
                        objectField(file, h, "metadata").fields();
                it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new CheckpointFormatException(
                        file, "header field metadata." + e.getKey() + ": expected a string, found " + e.getValue());
            }
            metadata.put(e.getKey(), e.getValue().textValue());
        }

        JsonNode tensorList = field(file, h, "tensors");
        if (!tensorList.isArray()) {
            throw new CheckpointFormatException(
                    file, "header field tensors: expected an array, found " + tensorList.getNodeType());
        }
        // Shapes are checked against the data length before any tensor is allocated.
        List<String> names = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < tensorList.size(); i++) {
            JsonNode t = tensorList.get(i);
            String where = "tensors[" + i + "]";
            JsonNode name = t.get("name");
            if (name == null || !name.isTextual()) {
                throw new CheckpointFormatException(
                        file, "header field " + where + ".name: expected a string, found " + name);
            }
            if (names.contains(name.textValue())) {
                throw new CheckpointFormatException(
                        file, "header field " + where + ".name: duplicate tensor name " + name.textValue());
            }
            long[] shape = longs(file, t.get("shape"), where + ".shape");
            long n;
            try {
                n = Checkpoint.Tensor.elementCount(shape);
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new CheckpointFormatException(
                        file, "header field " + where + ".shape: invalid shape " + Arrays.toString(shape));
            }
            if (n > Integer.MAX_VALUE - 8) {
                throw new CheckpointFormatException(
                        file, "header field " + where + ".shape: " + n + " elements exceed the largest Java array");
            }
            names.add(name.textValue());
            shapes.add(shape);
            total += 4 * n;
        }
        if (total != dataBytes) {
            throw new CheckpointFormatException(
                    file,
                    "array length mismatch: the header's shapes need "
                            + total
                            + " data bytes, the prefix at offset 16 says "
                            + dataBytes);
        }

        Map<String, Checkpoint.Tensor> tensors = new LinkedHashMap<>();
        ByteBuffer chunk = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < names.size(); i++) {
            float[] values = new float[(int) Checkpoint.Tensor.elementCount(shapes.get(i))];
            for (int from = 0; from < values.length; from += CHUNK_FLOATS) {
                int n = Math.min(CHUNK_FLOATS, values.length - from);
                if (data.readNBytes(chunk.array(), 0, 4 * n) != 4 * n) {
                    throw new CheckpointFormatException(
                            file,
                            "truncated in the data of tensor "
                                    + names.get(i)
                                    + ": the file shrank after its checksum was verified");
                }
                chunk.clear();
                chunk.asFloatBuffer().get(values, from, n);
            }
            tensors.put(names.get(i), new Checkpoint.Tensor(shapes.get(i), values));
        }
        try {
            return new Checkpoint(step, (int) epoch, position, config, tensors, state, metadata);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(file, "header: " + e.getMessage());
        }
    }

    private static JsonNode field(Path file, JsonNode h, String name) throws CheckpointFormatException {
        JsonNode v = h.get(name);
        if (v == null) {
            throw new CheckpointFormatException(file, "header field " + name + " is missing");
        }
        return v;
    }

    private static JsonNode objectField(Path file, JsonNode h, String name) throws CheckpointFormatException {
        JsonNode v = field(file, h, name);
        if (!v.isObject()) {
            throw new CheckpointFormatException(
                    file, "header field " + name + ": expected an object, found " + v.getNodeType());
        }
        return v;
    }

    private static long longField(Path file, JsonNode h, String name) throws CheckpointFormatException {
        JsonNode v = field(file, h, name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new CheckpointFormatException(file, "header field " + name + ": expected an integer, found " + v);
        }
        return v.longValue();
    }

    private static long[] longs(Path file, JsonNode a, String where) throws CheckpointFormatException {
        if (a == null || !a.isArray()) {
            throw new CheckpointFormatException(
                    file, "header field " + where + ": expected an array of integers, found " + a);
        }
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode x = a.get(i);
            if (!x.isIntegralNumber() || !x.canConvertToLong()) {
                throw new CheckpointFormatException(
                        file, "header field " + where + "[" + i + "]: expected an integer, found " + x);
            }
            out[i] = x.longValue();
        }
        return out;
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x & 0xff));
        }
        return s.toString();
    }

    /** A checkpoint found in a run directory. */
    public record Found(Path path, Checkpoint checkpoint) {}

    /**
     * The outcome of {@link #latest}: the newest valid checkpoint if any, and every newer file that
     * was skipped because it failed verification.
     */
    public record Scan(Optional<Found> newest, List<CheckpointFormatException> rejected) {
        public Scan {
            rejected = List.copyOf(rejected);
        }
    }

    /**
     * Finds the newest valid checkpoint in {@code runDir} by the step in its name. Files that fail
     * verification are skipped, logged as warnings and returned in {@link Scan#rejected()}, so a
     * resume after a damaged save falls back to the previous one visibly. A file whose header step
     * differs from its name is rejected too: it was renamed, and resuming from it would mislabel the
     * run. Other I/O errors propagate, since skipping an unreadable newer file would silently lose
     * progress.
     */
    public static Scan latest(Path runDir) throws IOException {
        List<CheckpointFormatException> rejected = new ArrayList<>();
        for (Map.Entry<Long, Path> e : checkpointsNewestFirst(runDir)) {
            try {
                Checkpoint c = read(e.getValue());
                if (c.step() != e.getKey()) {
                    throw new CheckpointFormatException(
                            e.getValue(),
                            "header field step: expected " + e.getKey() + " from the file name, found " + c.step());
                }
                return new Scan(Optional.of(new Found(e.getValue(), c)), rejected);
            } catch (CheckpointFormatException bad) {
                LOG.warn("skipping invalid checkpoint: {}", bad.getMessage());
                rejected.add(bad);
            }
        }
        return new Scan(Optional.empty(), rejected);
    }

    /**
     * Deletes all but the {@code keep} newest checkpoints (by step in the name) in {@code runDir},
     * and temp files that a crashed {@link #write} left behind. Call it after a successful write,
     * with no write in progress in the directory (it would delete that write's temp file). Files are
     * not verified (that would read every one); keep at least 2 so a newest file damaged after its
     * write still leaves a fallback for {@link #latest}.
     *
     * @return the deleted paths
     */
    public static List<Path> retain(Path runDir, int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, got " + keep);
        }
        List<Path> deleted = new ArrayList<>();
        List<Map.Entry<Long, Path>> all = checkpointsNewestFirst(runDir);
        for (Map.Entry<Long, Path> e : all.subList(Math.min(keep, all.size()), all.size())) {
            Files.delete(e.getValue());
            deleted.add(e.getValue());
        }
        try (Stream<Path> files = Files.list(runDir)) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(".ckpt-") && n.endsWith(TEMP_SUFFIX)) {
                    Files.delete(p);
                    deleted.add(p);
                }
            }
        }
        return deleted;
    }

    private static List<Map.Entry<Long, Path>> checkpointsNewestFirst(Path runDir) throws IOException {
        List<Map.Entry<Long, Path>> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(runDir)) {
            for (Path p : files.toList()) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches() && Files.isRegularFile(p)) {
                    out.add(Map.entry(Long.parseLong(m.group(1)), p));
                }
            }
        }
        out.sort(Map.Entry.<Long, Path>comparingByKey(Comparator.reverseOrder()));
        return out;
    }
}
