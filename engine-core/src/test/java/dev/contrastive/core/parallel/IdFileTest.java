package dev.contrastive.core.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdFileTest {

    @TempDir
    Path dir;

    @Test
    void waitersReadWhatRankZeroPublishesLater() throws Exception {
        byte[] id = new byte[128];
        new Random(5).nextBytes(id);
        Path file = dir.resolve("shared/.nccl-id.7.0.0");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<byte[]>> waiters = new ArrayList<>();
            for (int r = 1; r <= 3; r++) {
                waiters.add(pool.submit(() -> IdFile.await(file, 128, Duration.ofSeconds(30))));
            }
            Thread.sleep(300);
            IdFile.publish(file, id);
            for (Future<byte[]> w : waiters) {
                assertArrayEquals(id, w.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        try (var listing = Files.list(file.getParent())) {
            assertEquals(List.of(file), listing.toList(), "no temporary file is left beside the id");
        }
        IdFile.remove(file);
        assertFalse(Files.exists(file));
    }

    @Test
    void aMissingFileTimesOutNamingIt() {
        Path file = dir.resolve(".nccl-id.never");
        long started = System.nanoTime();
        CollectiveException e =
                assertThrows(CollectiveException.class, () -> IdFile.await(file, 128, Duration.ofMillis(500)));
        assertTrue(System.nanoTime() - started >= 500_000_000L);
        assertTrue(e.getMessage().startsWith("no id file " + file + " after PT0.5S"), e.getMessage());
        assertEquals(-1, e.failedReplica());
    }

    @Test
    void aMalformedFileIsRefusedNamingIt() throws Exception {
        Path shortId = dir.resolve("short");
        Files.writeString(shortId, "abcd\n");
        String m = assertThrows(IllegalStateException.class, () -> IdFile.await(shortId, 128, Duration.ofSeconds(1)))
                .getMessage();
        assertTrue(m.startsWith("the id file " + shortId + " does not hold a 128-byte id in hex"), m);
        Path notHex = dir.resolve("not-hex");
        Files.writeString(notHex, "zz".repeat(128));
        m = assertThrows(IllegalStateException.class, () -> IdFile.await(notHex, 128, Duration.ofSeconds(1)))
                .getMessage();
        assertTrue(m.contains(notHex.toString()) && m.contains("256 hex digits"), m);
    }

    @Test
    void rankZeroRefusesAFileLeftByAnEarlierLaunch() throws Exception {
        Path file = dir.resolve("old");
        IdFile.publish(file, new byte[] {1, 2});
        String m = assertThrows(IllegalStateException.class, () -> IdFile.publish(file, new byte[] {3, 4}))
                .getMessage();
        assertTrue(m.startsWith("the id file " + file + " already exists"), m);
        assertArrayEquals(new byte[] {1, 2}, IdFile.await(file, 2, Duration.ofSeconds(1)));
    }
}
