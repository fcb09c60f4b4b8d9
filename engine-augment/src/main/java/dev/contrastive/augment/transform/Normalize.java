package dev.contrastive.augment.transform;

import java.util.Arrays;

/**
 * (x - mean[c]) / std[c] for every pixel of channel c: torchvision's {@code Normalize}, the last
 * step of every published pipeline, so the encoder sees zero-mean, unit-variance inputs on the
 * dataset.
 *
 * @param mean per-channel mean, finite; as many as the batch has channels
 * @param std per-channel standard deviation, finite and > 0; as many as {@code mean}
 */
public record Normalize(float[] mean, float[] std) implements Transform {

    public Normalize {
        if (mean == null || mean.length == 0) {
            throw new IllegalArgumentException("normalize.mean must have one value per channel, got none");
        }
        if (std == null || std.length != mean.length) {
            throw new IllegalArgumentException("normalize.std must have "
                    + mean.length
                    + " values like normalize.mean, got "
                    + (std == null ? 0 : std.length));
        }
        for (int c = 0; c < mean.length; c++) {
            if (!Float.isFinite(mean[c])) {
                throw new IllegalArgumentException("normalize.mean[" + c + "] must be finite, got " + mean[c]);
            }
            if (!(std[c] > 0 && Float.isFinite(std[c]))) {
                throw new IllegalArgumentException("normalize.std[" + c + "] must be > 0 and finite, got " + std[c]);
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** The transform that undoes this one: x * std + mean, for showing normalised views. */
    public Normalize inverse() {
        float[] m = new float[mean.length];
        float[] s = new float[std.length];
        for (int c = 0; c < mean.length; c++) {
            m[c] = -mean[c] / std[c];
            s[c] = 1 / std[c];
        }
        return new Normalize(m, s);
    }

    @Override
    public ImageBatch apply(ImageBatch batch) {
        Checks.accepts(this, batch);
        float[] d = batch.data();
        int plane = batch.height() * batch.width();
        for (int r = 0; r < batch.rows(); r++) {
            int base = batch.offset(r);
            for (int c = 0; c < mean.length; c++) {
                float m = mean[c];
                float inv = 1f / std[c];
                int from = base + c * plane;
                for (int i = from; i < from + plane; i++) {
                    d[i] = (d[i] - m) * inv;
                }
            }
        }
        return batch;
    }

    @Override
    public ItemShape outputShape(ItemShape input) {
        if (input.channels() != mean.length) {
            throw new IllegalArgumentException("normalize.mean and normalize.std have "
                    + mean.length
                    + " channels, the images have "
                    + input.channels());
        }
        return input;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalize other && Arrays.equals(mean, other.mean) && Arrays.equals(std, other.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalize[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
