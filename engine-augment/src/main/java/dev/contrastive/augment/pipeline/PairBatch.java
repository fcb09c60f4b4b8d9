package dev.contrastive.augment.pipeline;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One batch of paired views, ready for the encoder. It owns its arrays' native memory: close it
 * when the step that uses it is done.
 */
public final class PairBatch implements AutoCloseable {

    private final int epoch;
    private final int number;
    private final int[] indices;
    private final INDArray viewA;
    private final INDArray viewB;
    private final INDArray labels;
    private boolean closed;

    PairBatch(int epoch, int number, int[] indices, INDArray viewA, INDArray viewB, INDArray labels) {
        this.epoch = epoch;
        this.number = number;
        this.indices = indices;
        this.viewA = viewA;
        this.viewB = viewB;
        this.labels = labels;
    }

    /** The epoch this batch belongs to. */
    public int epoch() {
        return epoch;
    }

    /** Position of this batch in its epoch, from 0. */
    public int number() {
        return number;
    }

    /** Number of images. */
    public int size() {
        return indices.length;
    }

    /** Dataset index of each image, in batch order. */
    public int[] indices() {
        return indices.clone();
    }

    /** View A: float32 (N, C, H, W), or for patch pipelines (N * P, C, h, w) or (N, P, C, h, w). */
    public INDArray viewA() {
        return viewA;
    }

    /** View B, the same shape as view A. */
    public INDArray viewB() {
        return viewB;
    }

    /** int32 (N) class labels, -1 for an unlabeled image; {@code null} for an unlabeled dataset. */
    public INDArray labels() {
        return labels;
    }

    /** Whether {@link #close()} has run. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /** Frees the arrays' native memory; later calls do nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        viewA.close();
        viewB.close();
        if (labels != null) {
            labels.close();
        }
    }
}
