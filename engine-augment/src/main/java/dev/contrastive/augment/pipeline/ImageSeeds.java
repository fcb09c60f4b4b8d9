package dev.contrastive.augment.pipeline;

/**
 * Seeds derived from (seed, epoch, index) by hashing, so that every image of every epoch has its
 * own random stream however the work is split between threads and batches.
 *
 * <p>Each step is SplitMix64's finaliser (the mixing function {@link java.util.SplittableRandom}
 * seeds itself with), a bijection on 64-bit values, applied to the previous hash plus the next
 * coordinate; distinct tags keep the image streams apart from the shuffle streams.
 */
public final class ImageSeeds {

    private static final long IMAGE_TAG = 0x494D414745L; // "IMAGE"
    private static final long SHUFFLE_TAG = 0x53485546464CL; // "SHUFFL"

    private ImageSeeds() {}

    /** Seed of the random stream that augments dataset image {@code index} in {@code epoch}. */
    public static long image(long seed, int epoch, int index) {
        return mix(mix(mix(seed ^ IMAGE_TAG) + epoch) + index);
    }

    /** Seed of the permutation of {@code epoch}. */
    public static long shuffle(long seed, int epoch) {
        return mix(mix(seed ^ SHUFFLE_TAG) + epoch);
    }

    /** SplitMix64's finaliser (Stafford's variant 13). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
