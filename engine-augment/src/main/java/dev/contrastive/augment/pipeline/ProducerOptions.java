package dev.contrastive.augment.pipeline;

import java.util.Objects;

/**
 * Options of {@link PairProducer}.
 *
 * <p>Made with {@link #of(int, long)} and the {@code with...} methods, or {@link #builder()}, each
 * setting named and validated where it is set. Immutable.
 */
public final class ProducerOptions {

    private final int batchSize;
    private final int threads;
    private final int prefetch;
    private final boolean dropLast;
    private final boolean shuffle;
    private final long seed;
    private final boolean groupPatches;

    private ProducerOptions(Builder b) {
        this.batchSize = b.batchSize;
        this.threads = b.threads;
        this.prefetch = b.prefetch == 0 ? 2 * b.threads : b.prefetch;
        this.dropLast = b.dropLast;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.groupPatches = b.groupPatches;
    }

    /**
     * A builder with the settings of {@link #of(int, long)} but no batch size yet, which must be set:
     * one worker per available processor, two batches ahead per worker, shuffled, last partial batch
     * dropped, patches flat, seed 0.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change some of them. */
    public Builder toBuilder() {
        return new Builder()
                .batchSize(batchSize)
                .threads(threads)
                .prefetch(prefetch)
                .dropLast(dropLast)
                .shuffle(shuffle)
                .seed(seed)
                .groupPatches(groupPatches);
    }

    /**
     * {@code batchSize} images per batch with the given seed, one worker per available processor, two
     * batches ahead per worker, shuffled, last partial batch dropped, patches flat.
     */
    public static ProducerOptions of(int batchSize, long seed) {
        return builder().batchSize(batchSize).seed(seed).build();
    }

    /** Images per batch. */
    public int batchSize() {
        return batchSize;
    }

    /** Worker threads; the batches are the same for any value. */
    public int threads() {
        return threads;
    }

    /** Batches made ahead of the consumer (queued or in progress). */
    public int prefetch() {
        return prefetch;
    }

    /**
     * Whether an epoch's last, smaller batch is dropped (AMDIM's reference loader drops it: every
     * step then sees the same number of negatives).
     */
    public boolean dropLast() {
        return dropLast;
    }

    /** Whether each epoch visits the images in a fresh random order drawn from the seed. */
    public boolean shuffle() {
        return shuffle;
    }

    /** The seed every image's augmentation and every epoch's order derive from. */
    public long seed() {
        return seed;
    }

    /**
     * For patch pipelines, whether views are (N, P, C, h, w) instead of (N * P, C, h, w); whole-image
     * views are (N, C, H, W) either way.
     */
    public boolean groupPatches() {
        return groupPatches;
    }

    /** These options with {@code n} threads and 2n batches of prefetch. */
    public ProducerOptions withThreads(int n) {
        return toBuilder().threads(n).prefetch(2 * n).build();
    }

    public ProducerOptions withPrefetch(int n) {
        return toBuilder().prefetch(n).build();
    }

    public ProducerOptions withDropLast(boolean drop) {
        return toBuilder().dropLast(drop).build();
    }

    public ProducerOptions withShuffle(boolean s) {
        return toBuilder().shuffle(s).build();
    }

    public ProducerOptions withSeed(long s) {
        return toBuilder().seed(s).build();
    }

    public ProducerOptions withGroupPatches(boolean g) {
        return toBuilder().groupPatches(g).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProducerOptions p
                && batchSize == p.batchSize
                && threads == p.threads
                && prefetch == p.prefetch
                && dropLast == p.dropLast
                && shuffle == p.shuffle
                && seed == p.seed
                && groupPatches == p.groupPatches;
    }

    @Override
    public int hashCode() {
        return Objects.hash(batchSize, threads, prefetch, dropLast, shuffle, seed, groupPatches);
    }

    @Override
    public String toString() {
        return "ProducerOptions[batchSize="
                + batchSize
                + ", threads="
                + threads
                + ", prefetch="
                + prefetch
                + ", dropLast="
                + dropLast
                + ", shuffle="
                + shuffle
                + ", seed="
                + seed
                + ", groupPatches="
                + groupPatches
                + "]";
    }

    /** Collects the options, each checked as it is set. */
    public static final class Builder {
        private int batchSize;
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        // 0 until set: twice the threads, whatever they are set to.
        private int prefetch;
        private boolean dropLast = true;
        private boolean shuffle = true;
        private long seed;
        private boolean groupPatches;

        private Builder() {}

        /** Images per batch, in [1, 1048576]; must be set. */
        public Builder batchSize(int images) {
            this.batchSize = checkBatchSize(images);
            return this;
        }

        /** Worker threads, in [1, 256]; the batches are the same for any value. */
        public Builder threads(int n) {
            if (n < 1 || n > 256) {
                throw new IllegalArgumentException("producer.threads must be in [1, 256], got " + n);
            }
            this.threads = n;
            return this;
        }

        /**
         * Batches made ahead of the consumer, in [1, 1024]; at least the threads to keep every worker
         * busy. Twice the threads unless set.
         */
        public Builder prefetch(int batches) {
            if (batches < 1 || batches > 1024) {
                throw new IllegalArgumentException("producer.prefetch must be in [1, 1024], got " + batches);
            }
            this.prefetch = batches;
            return this;
        }

        /** Whether an epoch's last, smaller batch is dropped; true unless set. */
        public Builder dropLast(boolean drop) {
            this.dropLast = drop;
            return this;
        }

        /** Whether each epoch visits the images in a fresh random order; true unless set. */
        public Builder shuffle(boolean on) {
            this.shuffle = on;
            return this;
        }

        /** The seed of every augmentation and epoch order; any value, 0 unless set. */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Whether patch views keep a patch axis, (N, P, C, h, w); false unless set. */
        public Builder groupPatches(boolean group) {
            this.groupPatches = group;
            return this;
        }

        public ProducerOptions build() {
            checkBatchSize(batchSize);
            return new ProducerOptions(this);
        }

        private static int checkBatchSize(int images) {
            if (images < 1 || images > (1 << 20)) {
                throw new IllegalArgumentException("producer.batchSize must be in [1, 1048576], got " + images);
            }
            return images;
        }
    }
}
