package dev.contrastive.models.train.metrics;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32C;
import org.nd4j.shade.protobuf.CodedOutputStream;

/**
 * Scalars as a TensorBoard event file, {@code events.out.tfevents.<seconds>.<host>} in the run
 * directory, so that {@code tensorboard --logdir RUN_DIR} draws them.
 *
 * <p>The file is a TFRecord stream of {@code tensorflow.Event} messages: first one carrying {@code
 * file_version: "brain.Event:2"} (TensorBoard ignores files without it), then one per {@link #log}
 * call whose {@code Summary} holds a {@code simple_value} per scalar. Each record is
 *
 * <pre>
 * uint64 length (little-endian) | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)
 * </pre>
 *
 * <p>The messages are encoded field by field with {@link CodedOutputStream} (protobuf-java as ND4J
 * shades it, already on every ND4J class path), using TensorFlow's field numbers (event.proto,
 * summary.proto): {@code Event{double wall_time = 1; int64 step = 2; string file_version = 3;
 * Summary summary = 5}}, {@code Summary{repeated Value value = 1}}, {@code Value{string tag = 1;
 * float simple_value = 2}}. Only these fields are written, so no generated classes are needed.
 * CRC32C is {@link CRC32C} from the JDK.
 *
 * <p>Every record is flushed before {@link #log} returns, so a killed run keeps what it logged. A
 * resumed run opens a new file beside the old one; TensorBoard reads all event files of a folder.
 */
public final class TensorBoardWriter implements MetricsSink {

    static final String FILE_VERSION = "brain.Event:2";
    private static final int MASK_DELTA = 0xa282ead8;

    private final Path file;
    private OutputStream out;

    /**
     * Creates a new event file in {@code runDir} (created if missing) and writes its version record.
     * The name is TensorFlow's {@code events.out.tfevents.<seconds>.<host>.<pid>.<n>}: a run resumed
     * within the same second, even by the same process, gets a file of its own ({@code n} counts up
     * past existing names), never appending to or replacing another writer's file.
     *
     * @throws IOException if the file cannot be created
     */
    public TensorBoardWriter(Path runDir) throws IOException {
        Files.createDirectories(runDir);
        long nowMillis = System.currentTimeMillis();
        String prefix = "events.out.tfevents."
                + (nowMillis / 1000)
                + "."
                + hostName()
                + "."
                + ProcessHandle.current().pid()
                + ".";
        OutputStream opened = null;
        Path chosen = null;
        for (int n = 0; opened == null; n++) {
            chosen = runDir.resolve(prefix + n);
            try {
                opened = Files.newOutputStream(chosen, StandardOpenOption.CREATE_NEW);
            } catch (FileAlreadyExistsException taken) {
                // Another writer of this run in the same second: try the next number.
            }
        }
        this.file = chosen;
        this.out = new BufferedOutputStream(opened);
        writeRecord(versionEvent(nowMillis / 1000.0));
    }

    /** The event file this writer appends to. */
    public Path file() {
        return file;
    }

    @Override
    public void log(long step, Map<String, Double> scalars) throws IOException {
        if (out == null) {
            throw new IllegalStateException("TensorBoard writer for " + file + " is closed");
        }
        writeRecord(scalarEvent(System.currentTimeMillis() / 1000.0, step, scalars));
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
    }

    /** TensorFlow's masked CRC32C: the CRC rotated right by 15 bits plus a constant. */
    static int maskedCrc32c(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    private void writeRecord(byte[] data) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(data.length);
        header.putInt(maskedCrc32c(header.array(), 0, 8));
        ByteBuffer footer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        footer.putInt(maskedCrc32c(data, 0, data.length));
        out.write(header.array());
        out.write(data);
        out.write(footer.array());
        out.flush();
    }

    static byte[] versionEvent(double wallTime) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream event = CodedOutputStream.newInstance(bytes);
        event.writeDouble(1, wallTime);
        event.writeString(3, FILE_VERSION);
        event.flush();
        return bytes.toByteArray();
    }

    static byte[] scalarEvent(double wallTime, long step, Map<String, Double> scalars) throws IOException {
        ByteArrayOutputStream summaryBytes = new ByteArrayOutputStream();
        CodedOutputStream summary = CodedOutputStream.newInstance(summaryBytes);
        for (Map.Entry<String, Double> e : scalars.entrySet()) {
            Objects.requireNonNull(e.getValue(), () -> "metric '" + e.getKey() + "' has no value");
            ByteArrayOutputStream valueBytes = new ByteArrayOutputStream();
            CodedOutputStream value = CodedOutputStream.newInstance(valueBytes);
            value.writeString(1, e.getKey());
            // simple_value is a float in summary.proto; TensorBoard shows float32 precision anyway.
            value.writeFloat(2, e.getValue().floatValue());
            value.flush();
            summary.writeByteArray(1, valueBytes.toByteArray());
        }
        summary.flush();

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream event = CodedOutputStream.newInstance(bytes);
        event.writeDouble(1, wallTime);
        event.writeInt64(2, step);
        event.writeByteArray(5, summaryBytes.toByteArray());
        event.flush();
        return bytes.toByteArray();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            // The name is only part of the file name; TensorBoard matches on "tfevents".
            return "localhost";
        }
    }
}
