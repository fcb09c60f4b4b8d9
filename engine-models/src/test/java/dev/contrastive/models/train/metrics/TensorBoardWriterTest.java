package dev.contrastive.models.train.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.protobuf.CodedInputStream;
import org.nd4j.shade.protobuf.WireFormat;

class TensorBoardWriterTest {

    @TempDir
    Path dir;

    /** The masking step written out from TensorFlow's crc32c.h, on unsigned 32-bit values. */
    static long mask(long crc) {
        long rotated = ((crc >>> 15) | (crc << 17)) & 0xFFFFFFFFL;
        return (rotated + 0xA282EAD8L) & 0xFFFFFFFFL;
    }

    static long crc32c(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return c.getValue();
    }

    @Test
    void maskedCrc32cKnownAnswers() {
        byte[] digits = "123456789".getBytes(StandardCharsets.US_ASCII);
        // The CRC-32C check value from the Castagnoli specification (RFC 3720 test vectors).
        assertEquals(0xE3069283L, crc32c(digits, 0, digits.length));
        // Masked values computed by hand from mask = rotr(crc, 15) + 0xa282ead8.
        assertEquals(0xC78AB0E5L, mask(0xE3069283L));
        assertEquals(0xC78AB0E5, TensorBoardWriter.maskedCrc32c(digits, 0, digits.length));
        assertEquals(0xA282EAD8, TensorBoardWriter.maskedCrc32c(new byte[0], 0, 0));
        byte[] a = {'a'};
        assertEquals(0xC1D04330L, crc32c(a, 0, 1));
        assertEquals(0x28E46E78, TensorBoardWriter.maskedCrc32c(a, 0, 1));
    }

    /** One decoded Event: the fields this project writes. */
    record Event(double wallTime, long step, String fileVersion, Map<String, Float> values) {}

    /** An independent TFRecord reader: checks both CRCs of every record and decodes the Event. */
    static List<Event> readEvents(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        while (buf.hasRemaining()) {
            byte[] lengthBytes = new byte[8];
            buf.get(lengthBytes);
            long length =
                    ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            long lengthCrc = buf.getInt() & 0xFFFFFFFFL;
            assertEquals(mask(crc32c(lengthBytes, 0, 8)), lengthCrc, "length CRC");
            byte[] data = new byte[Math.toIntExact(length)];
            buf.get(data);
            long dataCrc = buf.getInt() & 0xFFFFFFFFL;
            assertEquals(mask(crc32c(data, 0, data.length)), dataCrc, "data CRC");
            events.add(decodeEvent(data));
        }
        return events;
    }

    static Event decodeEvent(byte[] data) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(data);
        double wallTime = 0;
        long step = 0;
        String fileVersion = null;
        Map<String, Float> values = new LinkedHashMap<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag) {
                case (1 << 3) | WireFormat.WIRETYPE_FIXED64 -> wallTime = in.readDouble();
                case (2 << 3) | WireFormat.WIRETYPE_VARINT -> step = in.readInt64();
                case (3 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> fileVersion = in.readString();
                case (5 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                    CodedInputStream summary = in.readBytes().newCodedInput();
                    for (int st = summary.readTag(); st != 0; st = summary.readTag()) {
                        assertEquals((1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED, st, "Summary.value");
                        CodedInputStream value = summary.readBytes().newCodedInput();
                        String name = null;
                        float simple = Float.NaN;
                        for (int vt = value.readTag(); vt != 0; vt = value.readTag()) {
                            switch (vt) {
                                case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> name = value.readString();
                                case (2 << 3) | WireFormat.WIRETYPE_FIXED32 -> simple = value.readFloat();
                                default -> throw new AssertionError("unexpected Value field tag " + vt);
                            }
                        }
                        values.put(name, simple);
                    }
                }
                default -> throw new AssertionError("unexpected Event field tag " + tag);
            }
        }
        return new Event(wallTime, step, fileVersion, values);
    }

    @Test
    void writersOpenedInTheSameSecondGetFilesOfTheirOwn() throws IOException {
        try (TensorBoardWriter a = new TensorBoardWriter(dir.resolve("run"));
                TensorBoardWriter b = new TensorBoardWriter(dir.resolve("run"))) {
            assertNotEquals(a.file(), b.file());
            assertTrue(
                    b.file().getFileName().toString().startsWith("events.out.tfevents."),
                    b.file().toString());
        }
    }

    @Test
    void writesVersionRecordThenOneEventPerStep() throws IOException {
        double before = System.currentTimeMillis() / 1000.0;
        Path file;
        try (TensorBoardWriter tb = new TensorBoardWriter(dir.resolve("run"))) {
            file = tb.file();
            Map<String, Double> s0 = new LinkedHashMap<>();
            s0.put("train/loss", 2.5);
            s0.put("train/nce_acc", 0.125);
            s0.put("train/lr", 2e-4);
            tb.log(0, s0);
            tb.log(5_000_000_000L, Map.of("train/loss", -1.75));
        }
        double after = System.currentTimeMillis() / 1000.0;

        assertTrue(file.getFileName().toString().startsWith("events.out.tfevents."));
        List<Event> events = readEvents(file);
        assertEquals(3, events.size());

        Event version = events.get(0);
        assertEquals("brain.Event:2", version.fileVersion());
        assertTrue(version.values().isEmpty());

        Event first = events.get(1);
        assertEquals(0, first.step());
        assertEquals(null, first.fileVersion());
        assertEquals(
                List.of("train/loss", "train/nce_acc", "train/lr"),
                List.copyOf(first.values().keySet()));
        assertEquals(2.5f, first.values().get("train/loss"));
        assertEquals(0.125f, first.values().get("train/nce_acc"));
        assertEquals(2e-4f, first.values().get("train/lr"));

        Event second = events.get(2);
        assertEquals(5_000_000_000L, second.step());
        assertEquals(Map.of("train/loss", -1.75f), second.values());

        for (Event e : events) {
            assertTrue(e.wallTime() >= Math.floor(before) && e.wallTime() <= after + 1, "wall_time");
        }
        String seconds = file.getFileName().toString().split("\\.")[3];
        assertEquals((long) Math.floor(version.wallTime()), Long.parseLong(seconds));
    }

    @Test
    void eachRecordIsOnDiskBeforeClose() throws IOException {
        TensorBoardWriter tb = new TensorBoardWriter(dir);
        tb.log(7, Map.of("loss", 1.0));
        List<Event> events = readEvents(tb.file());
        assertEquals(2, events.size());
        assertEquals(7, events.get(1).step());
        tb.close();
        assertThrows(IllegalStateException.class, () -> tb.log(8, Map.of("loss", 1.0)));
    }

    @Test
    void aFlippedByteFailsTheDataCrc() throws IOException {
        Path file;
        try (TensorBoardWriter tb = new TensorBoardWriter(dir)) {
            tb.log(1, Map.of("loss", 0.5));
            file = tb.file();
        }
        byte[] bytes = Files.readAllBytes(file);
        // The last record's payload ends 4 bytes before the end; its final byte is the float's top
        // byte.
        bytes[bytes.length - 5] ^= 0x01;
        Files.write(file, bytes);
        AssertionError e = assertThrows(AssertionError.class, () -> readEvents(file));
        assertTrue(e.getMessage().contains("data CRC"), e.getMessage());
    }
}
