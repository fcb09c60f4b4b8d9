package dev.contrastive.models.eval;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Per-feature standardisation (x - mean) / std with statistics fitted on one matrix, the train
 * split, and applied unchanged to any other, so that test rows never influence what they are scaled
 * by.
 *
 * <p>A feature whose train standard deviation is below {@link #MIN_STD} (the constant black border
 * of padded images, a dead ReLU unit) is only centred: dividing by a near-zero deviation would blow
 * up whatever small variation the test split has there.
 */
final class Standardizer {

    static final double MIN_STD = 1e-6;

    private final INDArray mean;
    private final INDArray std;

    private Standardizer(INDArray mean, INDArray std) {
        this.mean = mean;
        this.std = std;
    }

    /** Fits on the rows of {@code train} (N, F), N >= 1. */
    static Standardizer fit(INDArray train) {
        INDArray mean = train.mean(true, 0);
        // Population deviation (not N-1): any positive scale standardises; this one matches mean's.
        INDArray std = train.std(false, true, 0);
        INDArray tiny = std.lt(MIN_STD).castTo(std.dataType());
        // Where std is tiny, tiny = 1 and std becomes 1: the column is only centred.
        std = std.mul(tiny.rsub(1.0)).addi(tiny);
        return new Standardizer(mean, std);
    }

    /** A new standardised copy of {@code x} (M, F); {@code x} is left unchanged. */
    INDArray apply(INDArray x) {
        if (x.size(1) != mean.size(1)) {
            throw new IllegalArgumentException(
                    "standardizer was fitted on " + mean.size(1) + " features, got " + x.size(1));
        }
        return x.subRowVector(mean).diviRowVector(std);
    }

    INDArray mean() {
        return mean;
    }

    INDArray std() {
        return std;
    }
}
