package dev.contrastive.models.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.testing.FailingStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

class CheckpointIOTest {

    @TempDir
    Path dir;

    /**
     * Every field populated, with the floats a careless encoder loses: -0.0, subnormals, extremes.
     */
    static Checkpoint sample(long step) {
        return sample(step, 300_001);
    }

    static Checkpoint sample(long step, int bigLength) {
        ObjectNode config = new ObjectMapper().createObjectNode();
        config.put("encoder", "amdim").put("lr", 2e-4).putObject("data").put("batch", 32);
        Map<String, Checkpoint.Tensor> tensors = new LinkedHashMap<>();
        tensors.put("conv1.weight", new Checkpoint.Tensor(new long[] {2, 1, 2, 2}, new float[] {
            -0.0f,
            0.0f,
            Float.MIN_VALUE,
            -Float.MIN_VALUE,
            Float.MIN_NORMAL / 3,
            Float.MAX_VALUE,
            -Float.MAX_VALUE,
            Float.POSITIVE_INFINITY
        }));
        tensors.put("bn.runningMean", new Checkpoint.Tensor(new long[] {3}, new float[] {1.5f, -2f, 1e-38f}));
        tensors.put("scalar", new Checkpoint.Tensor(new long[] {}, new float[] {Float.NaN}));
        tensors.put("empty", new Checkpoint.Tensor(new long[] {0, 4}, new float[0]));
        // At full size spans the writer's and reader's chunk boundary; a multiplicative hash of i
        // covers all bit
        // patterns, NaNs with payloads included, which survive too since the data is raw bits.
        float[] big = new float[bigLength];
        for (int i = 0; i < big.length; i++) {
            big[i] = Float.intBitsToFloat((int) (i * 2654435761L));
        }
        tensors.put("adam.m", new Checkpoint.Tensor(new long[] {big.length}, big));
        Map<String, long[]> state = new LinkedHashMap<>();
        state.put("rng", new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE});
        state.put("data.order", new long[] {42, 7});
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("engine.version", "0.1.0-SNAPSHOT");
        metadata.put("time", "2026-11-29T01:00:00Z");
        metadata.put("git", "8a2b12f");
        return new Checkpoint(step, 3, 17, config, tensors, state, metadata);
    }

    private Path written(long step) throws IOException {
        Path p = dir.resolve(CheckpointIO.fileName(step));
        CheckpointIO.write(p, sample(step));
        return p;
    }

    @Test
    void roundTripIsBitExact() throws IOException {
        Checkpoint c = sample(1234);
        Path p = dir.resolve(CheckpointIO.fileName(1234));
        assertEquals("ckpt-000001234.bin", p.getFileName().toString());
        CheckpointIO.write(p, c);
        Checkpoint back = CheckpointIO.read(p);
        assertEquals(c, back);
        assertEquals(
                List.copyOf(c.tensors().keySet()), List.copyOf(back.tensors().keySet()));
        for (String name : c.tensors().keySet()) {
            float[] a = c.tensors().get(name).data();
            float[] b = back.tensors().get(name).data();
            int[] ab = new int[a.length];
            int[] bb = new int[b.length];
            for (int i = 0; i < a.length; i++) {
                ab[i] = Float.floatToRawIntBits(a[i]);
                bb[i] = Float.floatToRawIntBits(b[i]);
            }
            assertArrayEquals(ab, bb, name);
        }
        assertNotEquals(
                c,
                new Checkpoint(
                        1234,
                        3,
                        17,
                        c.config(),
                        Map.of("x", new Checkpoint.Tensor(new long[] {1}, new float[] {0.0f})),
                        c.state(),
                        c.metadata()));
    }

    @Test
    void equalityDistinguishesNegativeZero() {
        Checkpoint.Tensor pos = new Checkpoint.Tensor(new long[] {1}, new float[] {0.0f});
        Checkpoint.Tensor neg = new Checkpoint.Tensor(new long[] {1}, new float[] {-0.0f});
        assertNotEquals(pos, neg);
    }

    @Test
    void tensorShapeMustMatchData() {
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint.Tensor(new long[] {2, 3}, new float[5]));
    }

    @Test
    void truncationAtAnyOffsetIsReportedAsTruncated() throws IOException {
        byte[] full = Files.readAllBytes(written(5));
        int header = ByteBuffer.wrap(full, 12, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        for (int len : new int[] {
            0,
            1,
            7,
            8,
            20,
            27,
            28,
            28 + header / 2,
            28 + header,
            28 + header + 5,
            full.length / 2,
            full.length - 5,
            full.length - 1
        }) {
            Path p = dir.resolve("cut-" + len + ".bin");
            Files.write(p, Arrays.copyOf(full, len));
            CheckpointFormatException e =
                    assertThrows(CheckpointFormatException.class, () -> CheckpointIO.read(p), "length " + len);
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
            assertEquals(p, e.file());
        }
    }

    @Test
    void trailingBytesAreReported() throws IOException {
        Path p = written(5);
        byte[] full = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(full, full.length + 3));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> CheckpointIO.read(p));
        assertTrue(e.getMessage().contains("trailing bytes"), e.getMessage());
    }

    @Test
    void aFlippedByteAnywhereIsACorruptionError() throws IOException {
        // Small tensors, so that flipping every byte of the file stays fast.
        Path p = dir.resolve("flipped.bin");
        CheckpointIO.write(p, sample(5, 100));
        byte[] full = Files.readAllBytes(p);
        for (int off = 0; off < full.length; off++) {
            byte[] bad = full.clone();
            bad[off] ^= 0x10;
            Files.write(p, bad);
            CheckpointFormatException e =
                    assertThrows(CheckpointFormatException.class, () -> CheckpointIO.read(p), "offset " + off);
            String expected = off < 8 ? "wrong magic" : "checksum mismatch";
            assertTrue(e.getMessage().contains(expected), "offset " + off + ": " + e.getMessage());
        }
    }

    @Test
    void wrongMagicNamesTheBytes() throws IOException {
        Path p = dir.resolve("not-a-checkpoint.bin");
        Files.writeString(p, "PK\u0003\u0004 this is a zip file, or anything else, but long enough");
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> CheckpointIO.read(p));
        assertTrue(
                e.getMessage().contains("wrong magic at offset 0: expected 89434b50540d0a1a, found 504b0304"),
                e.getMessage());
    }

    @Test
    void unknownVersionIsReportedWithBothVersions() throws IOException {
        byte[] full = Files.readAllBytes(written(5));
        ByteBuffer.wrap(full).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
        // A well-formed file of another version: both checksums recomputed.
        putChecksum(full, 24);
        putChecksum(full, full.length - 4);
        Path p = dir.resolve("v2.bin");
        Files.write(p, full);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> CheckpointIO.read(p));
        assertTrue(e.getMessage().contains("unknown format version at offset 8: expected 1, found 2"), e.getMessage());
    }

    @Test
    void headerShapesMustMatchTheDataLength() throws IOException {
        // A writer bug, not damage: checksums are valid but the header claims more data than exists.
        ObjectNode config = new ObjectMapper().createObjectNode();
        Checkpoint c = new Checkpoint(
                1,
                0,
                0,
                config,
                Map.of("w", new Checkpoint.Tensor(new long[] {2}, new float[] {1, 2})),
                Map.of(),
                Map.of());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CheckpointIO.writeTo(out, c);
        byte[] full = out.toByteArray();
        String text = new String(full, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\"shape\":[2]");
        assertTrue(at > 0, text);
        full[at + "\"shape\":[".length()] = '3';
        putChecksum(full, full.length - 4);
        Path p = dir.resolve("liar.bin");
        Files.write(p, full);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> CheckpointIO.read(p));
        assertTrue(
                e.getMessage()
                        .contains("array length mismatch: the header's shapes need 12 data bytes,"
                                + " the prefix at offset 16 says 8"),
                e.getMessage());
    }

    /** Stores at {@code at} the CRC32C of the bytes before it, as the format's checksums are. */
    private static void putChecksum(byte[] file, int at) {
        CRC32C crc = new CRC32C();
        crc.update(file, 0, at);
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(at, (int) crc.getValue());
    }

    @Test
    void aFailedWriteLeavesNoFileUnderTheFinalName() throws IOException {
        Path target = dir.resolve(CheckpointIO.fileName(9));
        for (long limit : new long[] {0, 10, 500, 100_000}) {
            IOException e = assertThrows(
                    IOException.class,
                    () -> CheckpointIO.write(target, sample(9), out -> FailingStream.afterBytes(out, limit)));
            assertTrue(
                    e.getMessage()
                            .startsWith("cannot write "
                                    + target
                                    + ": No space left on device (simulated) (writing the temporary file"),
                    e.getMessage());
            assertFalse(Files.exists(target), "limit " + limit);
            assertEquals(List.of(), listing(), "no temp file left, limit " + limit);
        }
    }

    @Test
    void aFailedOverwriteKeepsTheOldContent() throws IOException {
        Path target = dir.resolve("last.bin");
        Checkpoint old = sample(1);
        CheckpointIO.write(target, old);
        byte[] before = Files.readAllBytes(target);
        IOException e = assertThrows(
                IOException.class,
                () -> CheckpointIO.write(target, sample(2), out -> FailingStream.afterBytes(out, 1000)));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "cannot write " + target.toAbsolutePath() + ": No space left on device (simulated)"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("; last.bin is unchanged)"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(target));
        assertEquals(old, CheckpointIO.read(target));
        assertEquals(List.of("last.bin"), listing());
        CheckpointIO.write(target, sample(2));
        assertEquals(2, CheckpointIO.read(target).step());
        assertEquals(List.of("last.bin"), listing());
    }

    @Test
    void latestPicksTheNewestValidAndReportsTheSkippedOnes() throws IOException {
        assertTrue(CheckpointIO.latest(dir).newest().isEmpty());
        written(100);
        written(200);
        Path corrupt = written(300);
        byte[] bytes = Files.readAllBytes(corrupt);
        bytes[bytes.length / 2] ^= 1;
        Files.write(corrupt, bytes);
        Path truncated = written(400);
        Files.write(truncated, Arrays.copyOf(Files.readAllBytes(truncated), 100));
        Files.writeString(dir.resolve("notes.txt"), "not a checkpoint");
        Files.writeString(dir.resolve(".ckpt-000000500.bin.1234.tmp"), "a crashed write");

        CheckpointIO.Scan scan = CheckpointIO.latest(dir);
        assertEquals(
                dir.resolve(CheckpointIO.fileName(200)),
                scan.newest().orElseThrow().path());
        assertEquals(sample(200), scan.newest().orElseThrow().checkpoint());
        assertEquals(
                List.of(truncated, corrupt),
                scan.rejected().stream().map(CheckpointFormatException::file).toList());
        assertTrue(scan.rejected().get(0).getMessage().contains("truncated"));
        assertTrue(scan.rejected().get(1).getMessage().contains("checksum mismatch"));
    }

    @Test
    void latestRejectsAFileWhoseNameDisagreesWithItsStep() throws IOException {
        written(100);
        Files.copy(dir.resolve(CheckpointIO.fileName(100)), dir.resolve(CheckpointIO.fileName(900)));
        CheckpointIO.Scan scan = CheckpointIO.latest(dir);
        assertEquals(100, scan.newest().orElseThrow().checkpoint().step());
        assertTrue(
                scan.rejected()
                        .get(0)
                        .getMessage()
                        .contains("header field step: expected 900 from the file name, found 100"),
                scan.rejected().toString());
    }

    @Test
    void latestWithNothingValidReportsEverything() throws IOException {
        Files.writeString(dir.resolve(CheckpointIO.fileName(1)), "garbage");
        CheckpointIO.Scan scan = CheckpointIO.latest(dir);
        assertTrue(scan.newest().isEmpty());
        assertEquals(1, scan.rejected().size());
    }

    @Test
    void retainKeepsTheNewestKAndRemovesCrashLeftovers() throws IOException {
        for (long step : new long[] {5, 1000, 20, 300}) {
            written(step);
        }
        Files.writeString(dir.resolve(".ckpt-000000400.bin.abc.tmp"), "partial");
        Files.writeString(dir.resolve("metrics.csv"), "step,loss\n");
        List<Path> deleted = CheckpointIO.retain(dir, 2);
        assertEquals(3, deleted.size(), deleted.toString());
        assertEquals(
                List.of(".ckpt-000000400.bin.abc.tmp", "ckpt-000000005.bin", "ckpt-000000020.bin"),
                deleted.stream().map(p -> p.getFileName().toString()).sorted().toList());
        assertEquals(List.of("ckpt-000000300.bin", "ckpt-000001000.bin", "metrics.csv"), listing());
        assertEquals(List.of(), CheckpointIO.retain(dir, 2));
        assertThrows(IllegalArgumentException.class, () -> CheckpointIO.retain(dir, 0));
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
