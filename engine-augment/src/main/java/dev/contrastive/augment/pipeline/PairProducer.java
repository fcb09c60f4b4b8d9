package dev.contrastive.augment.pipeline;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.DatasetInfo;
import dev.contrastive.augment.data.Image;
import dev.contrastive.augment.transform.ImageBatch;
import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.augment.transform.PairTransform;
import dev.contrastive.augment.transform.PairTransform.ViewPair;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Makes batches of paired views of a dataset, epoch after epoch, on worker threads.
 *
 * <pre>{@code
 * try (PairProducer producer = new PairProducer(dataset, Presets.amdimCifar().pairs(), options)) {
 *   for (int epoch = 0; epoch < epochs; epoch++) {
 *     Iterator<PairBatch> batches = producer.epoch(epoch);
 *     while (batches.hasNext()) {
 *       try (PairBatch batch = batches.next()) {
 *         step(batch.viewA(), batch.viewB());
 *       }
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p><b>Deterministic.</b> Epoch e visits the images in the order of a permutation seeded from
 * (seed, e), or in index order without shuffling, cut into consecutive batches. Each image's views
 * come from a stream seeded from (seed, e, dataset index) ({@link ImageSeeds}). Each batch is one
 * task, and batches are handed out in order whatever order the workers finish them in, so the
 * batches are the same for any number of threads.
 *
 * <p><b>Bounded.</b> At most {@code prefetch} batches exist ahead of the consumer, finished or in
 * progress; a new one is started only when the consumer takes one, so a slow consumer holds memory
 * at {@code prefetch} batches.
 *
 * <p><b>Closeable.</b> {@link #close()} stops the workers and waits for their threads to end, and
 * frees the arrays of every batch made but not handed out; batches already handed out are the
 * caller's to close. Starting a new epoch likewise frees what was left of the previous one.
 *
 * <p>Dataset reads are serialised on one lock: {@link Dataset} leaves thread safety to each reader
 * (HDF5 is not thread-safe), and a read is a copy of a few kilobytes, small beside augmenting it.
 * The producer is driven by one consumer thread; its iterators are not thread-safe.
 */
public final class PairProducer implements AutoCloseable {

    private static final AtomicInteger PRODUCERS = new AtomicInteger();

    private final Dataset dataset;
    private final PairTransform pairs;
    private final ProducerOptions options;
    private final DatasetInfo info;
    private final ItemShape viewShape;
    private final int batches;
    private final Object readLock = new Object();
    private final List<Thread> workers = new ArrayList<>();
    private final ThreadPoolExecutor executor;
    private EpochRun current;
    private boolean closed;

    /** Sees every batch a worker makes; for tests of what close() frees. */
    private volatile Consumer<PairBatch> madeListener = batch -> {};

    /**
     * Checks that {@code pairs} accepts the dataset's images and starts no thread until the first
     * batch is asked for.
     *
     * @throws IllegalArgumentException if the pipeline does not accept the dataset's image shape, or
     *     an epoch would have no batch
     */
    public PairProducer(Dataset dataset, PairTransform pairs, ProducerOptions options) {
        if (dataset == null || pairs == null || options == null) {
            throw new IllegalArgumentException(
                    "producer.dataset, producer.pairs and producer.options" + " must not be null");
        }
        this.dataset = dataset;
        this.pairs = pairs;
        this.options = options;
        this.info = dataset.info();
        ItemShape input = ItemShape.image(info.channels(), info.height(), info.width());
        try {
            this.viewShape = pairs.outputShape(input);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "the pipeline does not accept dataset "
                            + info.name()
                            + " of "
                            + input
                            + " images: "
                            + e.getMessage(),
                    e);
        }
        int size = info.size();
        this.batches = options.dropLast()
                ? size / options.batchSize()
                : (size + options.batchSize() - 1) / options.batchSize();
        if (batches == 0) {
            throw new IllegalArgumentException("dataset "
                    + info.name()
                    + " has "
                    + size
                    + " images, fewer than producer.batchSize "
                    + options.batchSize()
                    + (options.dropLast() ? " with dropLast" : "")
                    + ": an epoch would have no batch");
        }
        String prefix = "pair-producer-" + PRODUCERS.incrementAndGet() + "-worker-";
        ThreadFactory factory = new ThreadFactory() {
            private int count;

            @Override
            public Thread newThread(Runnable task) {
                Thread thread = new Thread(task, prefix + count++);
                // A producer its owner forgot to close must not keep the JVM alive.
                thread.setDaemon(true);
                synchronized (workers) {
                    workers.add(thread);
                }
                return thread;
            }
        };
        this.executor = new ThreadPoolExecutor(
                options.threads(), options.threads(), 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), factory);
    }

    /** Shape of one image's view: rows per image (patches) and (C, H, W) of each row. */
    public ItemShape viewShape() {
        return viewShape;
    }

    /** Batches in every epoch. */
    public int batchesPerEpoch() {
        return batches;
    }

    public ProducerOptions options() {
        return options;
    }

    /**
     * The batches of epoch {@code epoch}, in order. The caller owns every batch it takes and closes
     * it. Starting an epoch ends the previous epoch's iterator and frees its unconsumed batches. A
     * failure while making a batch is thrown from {@code next()} once, naming the batch, and ends the
     * epoch.
     *
     * @param epoch >= 0
     * @throws IllegalStateException if the producer is closed
     */
    public synchronized Iterator<PairBatch> epoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        }
        ensureOpen();
        if (current != null) {
            current.discard();
        }
        current = new EpochRun(epoch, order(epoch));
        return current;
    }

    /** The images of {@code epoch} in visiting order. */
    private int[] order(int epoch) {
        int size = info.size();
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        if (options.shuffle()) {
            SplittableRandom random = new SplittableRandom(ImageSeeds.shuffle(options.seed(), epoch));
            for (int i = size - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the pair producer is closed");
        }
    }

    /**
     * Stops the workers, frees every batch made but not handed out, and returns when every worker
     * thread has ended. Later calls do nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (current != null) {
            current.discard();
            current = null;
        }
        executor.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (executor.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        List<Thread> started;
        synchronized (workers) {
            started = List.copyOf(workers);
        }
        // Termination of the pool can precede the threads' last instructions; wait for those too.
        for (Thread thread : started) {
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads, augments and converts batch {@code number} of {@code epoch}; runs on a worker. */
    private PairBatch make(int epoch, int number, int[] indices, AtomicBoolean cancelled) {
        List<Image> images = new ArrayList<>(indices.length);
        synchronized (readLock) {
            for (int index : indices) {
                Image image = dataset.get(index);
                if (!image.hasShape(info.channels(), info.height(), info.width())) {
                    throw new IllegalStateException("dataset "
                            + info.name()
                            + " image "
                            + index
                            + " is "
                            + image.describeShape()
                            + ", its info says "
                            + info.channels()
                            + " x "
                            + info.height()
                            + " x "
                            + info.width());
                }
                images.add(image);
            }
        }
        SplittableRandom[] streams = new SplittableRandom[indices.length];
        for (int i = 0; i < indices.length; i++) {
            streams[i] = new SplittableRandom(ImageSeeds.image(options.seed(), epoch, indices[i]));
        }
        if (cancelled.get()) {
            throw new CancellationException();
        }
        ViewPair views = pairs.apply(ImageBatch.fromImages(images, streams));
        // Checked again before any native memory is allocated: a discarded batch allocates none.
        if (cancelled.get()) {
            throw new CancellationException();
        }
        long[] shape = arrayShape(indices.length);
        INDArray a = Nd4j.create(views.a().data(), shape, DataType.FLOAT);
        INDArray b = Nd4j.create(views.b().data(), shape, DataType.FLOAT);
        INDArray labels = null;
        if (info.labeled()) {
            int[] values = new int[indices.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = images.get(i).label();
            }
            labels = Nd4j.createFromArray(values);
        }
        PairBatch batch = new PairBatch(epoch, number, indices, a, b, labels);
        madeListener.accept(batch);
        return batch;
    }

    /** Lets a test see every batch the workers make, to check that close() frees the unconsumed. */
    void onBatchMade(Consumer<PairBatch> listener) {
        this.madeListener = listener;
    }

    private long[] arrayShape(int n) {
        ItemShape s = viewShape;
        if (s.patches() == 1) {
            return new long[] {n, s.channels(), s.height(), s.width()};
        }
        if (options.groupPatches()) {
            return new long[] {n, s.patches(), s.channels(), s.height(), s.width()};
        }
        return new long[] {(long) n * s.patches(), s.channels(), s.height(), s.width()};
    }

    /** A submitted batch task and the flag that decides whether its worker or discard() owns it. */
    private record Task(Future<PairBatch> future, AtomicBoolean claimed) {}

    /** One epoch's iterator: the in-order window of at most {@code prefetch} batch tasks. */
    private final class EpochRun implements Iterator<PairBatch> {
        private final int epoch;
        private final int[] order;
        private final ArrayDeque<Task> inFlight = new ArrayDeque<>();
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private int submitted;
        private int taken;
        private boolean ended;

        EpochRun(int epoch, int[] order) {
            this.epoch = epoch;
            this.order = order;
        }

        @Override
        public boolean hasNext() {
            synchronized (PairProducer.this) {
                ensureCurrent();
                return !ended && taken < batches;
            }
        }

        @Override
        public PairBatch next() {
            Future<PairBatch> head;
            int number;
            synchronized (PairProducer.this) {
                ensureCurrent();
                if (ended || taken >= batches) {
                    throw new NoSuchElementException("epoch " + epoch + " has " + batches + " batches");
                }
                fill();
                head = inFlight.poll().future();
                number = taken++;
                fill();
            }
            try {
                return head.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                end();
                throw new IllegalStateException("interrupted waiting for batch " + number + " of epoch " + epoch, e);
            } catch (ExecutionException e) {
                end();
                Throwable cause = e.getCause();
                if (cause instanceof Error error) {
                    throw error;
                }
                throw new IllegalStateException(
                        "making batch " + number + " of epoch " + epoch + " failed: " + cause.getMessage(), cause);
            }
        }

        private void ensureCurrent() {
            ensureOpen();
            if (current != this) {
                throw new IllegalStateException("epoch " + epoch + " was ended by starting another epoch");
            }
        }

        /** Starts batches until {@code prefetch} are ahead of the consumer or none are left. */
        private void fill() {
            while (inFlight.size() < options.prefetch() && submitted < batches) {
                int number = submitted++;
                int from = number * options.batchSize();
                int to = Math.min(from + options.batchSize(), order.length);
                int[] indices = Arrays.copyOfRange(order, from, to);
                AtomicBoolean claimed = new AtomicBoolean();
                Future<PairBatch> future = executor.submit(() -> {
                    if (!claimed.compareAndSet(false, true)) {
                        throw new CancellationException(); // discard() claimed it first: make nothing
                    }
                    return make(epoch, number, indices, cancelled);
                });
                inFlight.add(new Task(future, claimed));
            }
        }

        /** Ends the epoch after a failure or interrupt, freeing what the workers made ahead. */
        private void end() {
            synchronized (PairProducer.this) {
                discard();
            }
        }

        /**
         * Cancels the batches not yet started and frees the ones already made; waits (uninterruptibly,
         * so nothing is left behind) for those in progress, which stop early on the cancelled flag.
         */
        void discard() {
            ended = true;
            cancelled.set(true);
            boolean interrupted = false;
            for (Task task : inFlight) {
                // Future.cancel(false) also succeeds on a task already running, whose batch would then be
                // lost unclosed; the claim decides once and for all who owns the task.
                if (task.claimed().compareAndSet(false, true)) {
                    task.future().cancel(false);
                    continue; // its worker will find it claimed and make nothing
                }
                while (true) {
                    try {
                        task.future().get().close();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    } catch (ExecutionException | CancellationException e) {
                        break; // failed or stopped early: it made no arrays
                    }
                }
            }
            inFlight.clear();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
