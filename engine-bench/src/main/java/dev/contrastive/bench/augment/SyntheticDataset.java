package dev.contrastive.bench.augment;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.DatasetInfo;
import dev.contrastive.augment.data.Image;
import java.util.SplittableRandom;

/**
 * Benchmark input: images of seeded random pixels held in memory, so the benchmark measures
 * augmentation, not a reader or a disk.
 */
final class SyntheticDataset implements Dataset {

    private final DatasetInfo info;
    private final Image[] images;

    SyntheticDataset(int size, int channels, int side, long seed) {
        this.info = DatasetInfo.builder()
                .name("synthetic-" + side)
                .size(size)
                .channels(channels)
                .height(side)
                .width(side)
                .classes(10)
                .build();
        this.images = new Image[size];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) {
            byte[] pixels = new byte[channels * side * side];
            for (int k = 0; k < pixels.length; k++) {
                pixels[k] = (byte) random.nextInt(256);
            }
            images[i] = new Image(pixels, channels, side, side, i % 10);
        }
    }

    @Override
    public DatasetInfo info() {
        return info;
    }

    @Override
    public Image get(int index) {
        return images[index];
    }

    @Override
    public void close() {}
}
