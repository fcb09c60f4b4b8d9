package dev.contrastive.augment.transform;

import java.util.Arrays;

/**
 * With probability {@code p}, keeps {@code keep} randomly chosen channels of each three-channel row
 * and sets the others to {@code fill}: CPC v2's colour dropping, which keeps 1 of 3 channels so
 * that a patch encoder cannot match patches by low-level colour statistics.
 *
 * <p>{@code fill} is in the units of the batch when the drop runs: after {@link Normalize}, 0 is
 * the dataset's mean of that channel, the neutral value. One-channel rows have nothing to drop and
 * stay as they are.
 *
 * @param keep channels kept, in [1, 3]; 3 keeps everything
 * @param fill value written into dropped channels, finite
 * @param p probability of dropping in a row, in [0, 1]
 */
public record ColorDrop(int keep, float fill, double p) implements Transform {

    public ColorDrop {
        if (keep < 1 || keep > 3) {
            throw new IllegalArgumentException("colordrop.keep must be in [1, 3], got " + keep);
        }
        if (!Float.isFinite(fill)) {
            throw new IllegalArgumentException("colordrop.fill must be finite, got " + fill);
        }
        Checks.probability("colordrop.p", p);
    }

    @Override
    public ImageBatch apply(ImageBatch batch) {
        if (batch.channels() != 3 || keep == 3) {
            return batch;
        }
        float[] d = batch.data();
        int plane = batch.height() * batch.width();
        int[] channels = new int[3];
        return batch.changeRows(p, (base, random) -> {
            channels[0] = 0;
            channels[1] = 1;
            channels[2] = 2;
            // Partial Fisher-Yates: channels[0 .. keep-1] are a uniform choice of the kept ones.
            for (int i = 0; i < keep; i++) {
                int j = i + random.nextInt(3 - i);
                int t = channels[i];
                channels[i] = channels[j];
                channels[j] = t;
            }
            for (int i = keep; i < 3; i++) {
                int from = base + channels[i] * plane;
                Arrays.fill(d, from, from + plane, fill);
            }
        });
    }

    @Override
    public ItemShape outputShape(ItemShape input) {
        return input;
    }
}
