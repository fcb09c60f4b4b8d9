package dev.contrastive.augment.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.fixtures.TestDatasets;
import dev.contrastive.augment.transform.Presets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PairProducerTest {

    /** What one batch holds, copied to the heap so it can outlive the batch's native memory. */
    record Snapshot(int number, int[] indices, float[] a, float[] b, int[] labels, long[] shape) {
        static Snapshot of(PairBatch batch) {
            try (batch) {
                return new Snapshot(
                        batch.number(),
                        batch.indices(),
                        batch.viewA().data().asFloat(),
                        batch.viewB().data().asFloat(),
                        batch.labels() == null ? null : batch.labels().toIntVector(),
                        batch.viewA().shape());
            }
        }

        void assertSame(Snapshot other) {
            assertEquals(number, other.number);
            assertArrayEquals(indices, other.indices, "indices of batch " + number);
            assertArrayEquals(a, other.a, "view A of batch " + number);
            assertArrayEquals(b, other.b, "view B of batch " + number);
            assertArrayEquals(labels, other.labels, "labels of batch " + number);
            assertArrayEquals(shape, other.shape);
        }
    }

    @BeforeAll
    static void loadBackend() {
        // Load the native backend and its own threads before any test counts threads or memory.
        Nd4j.create(1).close();
    }

    private static List<Snapshot> epoch(PairProducer producer, int epoch) {
        List<Snapshot> out = new ArrayList<>();
        Iterator<PairBatch> batches = producer.epoch(epoch);
        while (batches.hasNext()) {
            out.add(Snapshot.of(batches.next()));
        }
        return out;
    }

    private static ProducerOptions options(int batchSize, int threads) {
        return options(batchSize, threads, 2 * threads, false, true, 42);
    }

    /**
     * Every setting spelt out, so that no test leans on the builder's defaults (the threads' default
     * is the machine's processor count); patches flat.
     */
    private static ProducerOptions options(
            int batchSize, int threads, int prefetch, boolean dropLast, boolean shuffle, long seed) {
        return ProducerOptions.of(batchSize, seed)
                .withThreads(threads)
                .withPrefetch(prefetch)
                .withDropLast(dropLast)
                .withShuffle(shuffle)
                .withGroupPatches(false);
    }

    @Test
    void oneAndTwoThreadsMakeIdenticalBatches() {
        Dataset data = TestDatasets.random(45, 3, 32, 32, 10, 1);
        List<List<Snapshot>> runs = new ArrayList<>();
        for (int threads : new int[] {1, 2}) {
            try (PairProducer producer =
                    new PairProducer(data, Presets.amdimCifar().pairs(), options(8, threads))) {
                runs.add(List.of(epoch(producer, 0), epoch(producer, 1)).stream()
                        .flatMap(List::stream)
                        .toList());
            }
        }
        assertEquals(2 * 6, runs.get(0).size());
        for (int i = 0; i < runs.get(0).size(); i++) {
            runs.get(0).get(i).assertSame(runs.get(1).get(i));
        }
    }

    @Test
    void anImagesViewsDependOnlyOnSeedEpochAndIndexNotOnTheBatch() {
        Dataset data = TestDatasets.random(12, 3, 32, 32, 0, 2);
        List<Snapshot> fours;
        List<Snapshot> fives;
        try (PairProducer producer =
                new PairProducer(data, Presets.amdimCifar().pairs(), options(4, 2, 4, false, false, 7))) {
            fours = epoch(producer, 3);
        }
        try (PairProducer producer =
                new PairProducer(data, Presets.amdimCifar().pairs(), options(5, 1, 1, false, false, 7))) {
            fives = epoch(producer, 3);
        }
        int row = 3 * 32 * 32;
        float[] allFours = concat(fours.stream().map(Snapshot::a).toList());
        float[] allFives = concat(fives.stream().map(Snapshot::a).toList());
        assertArrayEquals(allFours, allFives);
        assertEquals(12 * row, allFours.length);
        assertNull(fours.get(0).labels(), "an unlabeled dataset has no labels");
    }

    private static float[] concat(List<float[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @Test
    void anEpochEndsCleanlyKeepingOrDroppingTheLastPartialBatch() {
        Dataset data = TestDatasets.random(10, 1, 28, 28, 10, 3);
        for (boolean dropLast : new boolean[] {false, true}) {
            ProducerOptions options = options(4, 2, 3, dropLast, true, 5);
            try (PairProducer producer =
                    new PairProducer(data, Presets.fashionMnist().pairs(), options)) {
                assertEquals(dropLast ? 2 : 3, producer.batchesPerEpoch());
                Iterator<PairBatch> batches = producer.epoch(0);
                List<Integer> sizes = new ArrayList<>();
                List<Integer> seen = new ArrayList<>();
                while (batches.hasNext()) {
                    try (PairBatch batch = batches.next()) {
                        sizes.add(batch.size());
                        assertArrayEquals(
                                new long[] {batch.size(), 1, 32, 32},
                                batch.viewA().shape());
                        int[] labels = batch.labels().toIntVector();
                        int[] indices = batch.indices();
                        for (int i = 0; i < indices.length; i++) {
                            assertEquals(indices[i] % 10, labels[i], "label of image " + indices[i]);
                            seen.add(indices[i]);
                        }
                    }
                }
                assertEquals(dropLast ? List.of(4, 4) : List.of(4, 4, 2), sizes);
                assertFalse(batches.hasNext());
                assertThrows(NoSuchElementException.class, batches::next);
                if (!dropLast) {
                    assertEquals(Set.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), Set.copyOf(seen));
                    assertEquals(10, seen.size(), "every image once");
                }
            }
        }
    }

    @Test
    void shufflingDrawsAFreshOrderEachEpochAndIndexOrderWithoutIt() {
        Dataset data = TestDatasets.random(64, 1, 28, 28, 0, 4);
        ProducerOptions options = options(64, 1, 1, true, true, 9);
        try (PairProducer producer =
                new PairProducer(data, Presets.fashionMnist().pairs(), options)) {
            int[] first = epoch(producer, 0).get(0).indices();
            int[] second = epoch(producer, 1).get(0).indices();
            assertFalse(Arrays.equals(first, second));
            assertArrayEquals(first, epoch(producer, 0).get(0).indices(), "an epoch replays");
            int[] sorted = first.clone();
            Arrays.sort(sorted);
            assertFalse(Arrays.equals(first, sorted));
        }
        try (PairProducer producer =
                new PairProducer(data, Presets.fashionMnist().pairs(), options.withShuffle(false))) {
            int[] inOrder = epoch(producer, 0).get(0).indices();
            for (int i = 0; i < 64; i++) {
                assertEquals(i, inOrder[i]);
            }
        }
    }

    @Test
    void patchViewsAreFlatOrGroupedByImage() {
        Dataset data = TestDatasets.random(6, 3, 32, 32, 10, 5);
        ProducerOptions options = options(3, 1, 1, true, false, 1);
        try (PairProducer producer = new PairProducer(data, Presets.cpcCifar().pairs(), options)) {
            Snapshot s = epoch(producer, 0).get(0);
            assertArrayEquals(new long[] {3 * 49, 3, 8, 8}, s.shape());
        }
        try (PairProducer producer =
                new PairProducer(data, Presets.cpcCifar().pairs(), options.withGroupPatches(true))) {
            Snapshot s = epoch(producer, 0).get(0);
            assertArrayEquals(new long[] {3, 49, 3, 8, 8}, s.shape());
        }
    }

    @Test
    void aPipelineThatDoesNotFitTheDatasetFailsAtConstruction() {
        Dataset gray = TestDatasets.random(8, 1, 28, 28, 10, 6);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new PairProducer(gray, Presets.amdimCifar().pairs(), options(4, 1)));
        assertTrue(e.getMessage().contains("normalize.mean and normalize.std have 3 channels"), e.getMessage());
        IllegalArgumentException small = assertThrows(
                IllegalArgumentException.class,
                () -> new PairProducer(
                        gray, Presets.fashionMnist().pairs(), options(16, 1).withDropLast(true)));
        assertTrue(small.getMessage().contains("fewer than producer.batchSize 16"), small.getMessage());
    }

    @Test
    void aFailedReadIsThrownOnceNamingTheBatchAndEndsTheEpoch() {
        Dataset data = TestDatasets.failingAt(TestDatasets.random(16, 1, 28, 28, 10, 7), i -> i == 9);
        try (PairProducer producer =
                new PairProducer(data, Presets.fashionMnist().pairs(), options(4, 2, 4, true, false, 1))) {
            Iterator<PairBatch> batches = producer.epoch(0);
            batches.next().close();
            batches.next().close();
            IllegalStateException e = assertThrows(IllegalStateException.class, batches::next);
            assertTrue(e.getMessage().startsWith("making batch 2 of epoch 0 failed"), e.getMessage());
            assertTrue(e.getMessage().contains("injected read failure at image 9"), e.getMessage());
            assertFalse(batches.hasNext());
        }
    }

    @Test
    void startingAnEpochEndsThePreviousIterator() {
        Dataset data = TestDatasets.random(16, 1, 28, 28, 10, 8);
        try (PairProducer producer =
                new PairProducer(data, Presets.fashionMnist().pairs(), options(4, 2))) {
            Iterator<PairBatch> first = producer.epoch(0);
            first.next().close();
            Iterator<PairBatch> second = producer.epoch(1);
            assertThrows(IllegalStateException.class, first::hasNext);
            assertTrue(second.hasNext());
            producer.close();
            IllegalStateException closed = assertThrows(IllegalStateException.class, second::next);
            assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        }
    }

    private static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .collect(Collectors.toSet());
    }

    private static void assertNoThreadsLeftBeyond(Set<Thread> before) {
        Set<Thread> leaked = liveThreads();
        leaked.removeAll(before);
        assertEquals(Set.of(), leaked, "threads left after close");
    }

    /** Every batch {@code producer} makes from now on, in the order the workers finish them. */
    private static List<PairBatch> recordBatchesMade(PairProducer producer) {
        List<PairBatch> made = Collections.synchronizedList(new ArrayList<>());
        producer.onBatchMade(made::add);
        return made;
    }

    @Test
    void closeEndsEveryWorkerThreadAndFreesTheBatchesMadeAhead() throws InterruptedException {
        Dataset data = TestDatasets.random(256, 3, 32, 32, 10, 9);
        Set<Thread> before = liveThreads();
        PairProducer producer = new PairProducer(data, Presets.amdimCifar().pairs(), options(16, 2, 6, true, true, 3));
        List<PairBatch> made = recordBatchesMade(producer);
        PairBatch taken = producer.epoch(0).next();
        // The first next() starts 6 batches and one more once it takes one: wait for all 7 to be made.
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (made.size() < 7 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(7, made.size(), "batches made ahead");
        assertTrue(liveThreads().stream().anyMatch(t -> t.getName().startsWith("pair-producer-")));

        producer.close();

        assertNoThreadsLeftBeyond(before);
        for (PairBatch batch : made) {
            if (batch == taken) {
                assertFalse(batch.isClosed(), "a batch handed out is the caller's to close");
            } else {
                assertTrue(
                        batch.isClosed()
                                && batch.viewA().wasClosed()
                                && batch.viewB().wasClosed()
                                && batch.labels().wasClosed(),
                        "batch " + batch.number() + " freed");
            }
        }
        taken.close();
        assertThrows(IllegalStateException.class, () -> producer.epoch(1));
        producer.close();
    }

    @Test
    void closeWhileWorkersAreBusyFreesEverythingTheyFinish() {
        Dataset data = TestDatasets.random(512, 3, 96, 96, 10, 11);
        Set<Thread> before = liveThreads();
        PairProducer producer = new PairProducer(data, Presets.amdimStl().pairs(), options(64, 2, 4, true, true, 3));
        List<PairBatch> made = recordBatchesMade(producer);
        PairBatch taken = producer.epoch(0).next();
        producer.close();
        assertNoThreadsLeftBeyond(before);
        for (PairBatch batch : made) {
            assertEquals(batch != taken, batch.isClosed(), "batch " + batch.number());
        }
        taken.close();
    }

    @Test
    void aBatchClosesItsArraysOnce() {
        Dataset data = TestDatasets.random(4, 1, 28, 28, 10, 10);
        try (PairProducer producer =
                new PairProducer(data, Presets.fashionMnist().pairs(), options(4, 1))) {
            PairBatch batch = producer.epoch(0).next();
            INDArray a = batch.viewA();
            batch.close();
            assertTrue(a.wasClosed());
            assertTrue(batch.labels().wasClosed());
            batch.close();
            assertNotEquals(0, batch.size());
        }
    }
}
