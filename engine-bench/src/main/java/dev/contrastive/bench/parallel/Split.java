package dev.contrastive.bench.parallel;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How one training step runs its global batch: the plain {@code Method.forwardBackward}, or {@code
 * DataParallel} with {@code replicas} in-process replicas and micro-batches of {@code microBatch}
 * images (0: each replica's whole shard at once).
 *
 * <p>Written {@code plain}, or {@code r<replicas>} with an optional {@code m<microBatch>}: {@code
 * r2} is two replicas, {@code r1m16} one replica in micro-batches of 16, {@code r1} one replica
 * through DataParallel's split path without splitting anything (what the path itself costs).
 *
 * @param replicas in [1, 64], 1 for the plain step
 * @param microBatch at least 0, 0 for the plain step
 * @param plain whether the step bypasses DataParallel
 */
public record Split(int replicas, int microBatch, boolean plain) {

    private static final Pattern PARALLEL = Pattern.compile("r(\\d+)(?:m(\\d+))?");

    public Split {
        if (replicas < 1 || replicas > 64) {
            throw new IllegalArgumentException("split.replicas must be in [1, 64], got " + replicas);
        }
        if (microBatch < 0) {
            throw new IllegalArgumentException("split.microBatch must be >= 0 (0 = none), got " + microBatch);
        }
        if (plain && (replicas != 1 || microBatch != 0)) {
            throw new IllegalArgumentException("split.plain needs replicas 1 and microBatch 0, got replicas "
                    + replicas
                    + ", microBatch "
                    + microBatch);
        }
    }

    public static Split plainStep() {
        return new Split(1, 0, true);
    }

    /** {@code replicas} DataParallel replicas in micro-batches of {@code microBatch} (0: none). */
    public static Split parallel(int replicas, int microBatch) {
        return new Split(replicas, microBatch, false);
    }

    /** Parses {@code plain}, {@code r<N>} or {@code r<N>m<M>}; see the class documentation. */
    public static Split parse(String text) {
        if ("plain".equals(text)) {
            return plainStep();
        }
        Matcher m = PARALLEL.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "split must be plain, r<replicas> or r<replicas>m<microBatch> (e.g. r2, r1m16), got '"
                            + text
                            + "'");
        }
        try {
            return parallel(Integer.parseInt(m.group(1)), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("split '" + text + "' has a number too large", e);
        }
    }

    /** The written form, as {@link #parse} reads it. */
    public String label() {
        if (plain) {
            return "plain";
        }
        return "r" + replicas + (microBatch > 0 ? "m" + microBatch : "");
    }

    /** In words, for reports. */
    public String describe() {
        if (plain) {
            return "plain step (Method.forwardBackward)";
        }
        String who = replicas == 1 ? "1 replica" : replicas + " replicas";
        return "DataParallel, " + who + (microBatch > 0 ? ", micro-batches of " + microBatch : ", no micro-batches");
    }
}
