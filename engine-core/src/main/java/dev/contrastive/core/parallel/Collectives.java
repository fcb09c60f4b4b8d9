package dev.contrastive.core.parallel;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The collective operations of one replica among {@link #size()} that train one global batch
 * together: each replica encodes its shard of the batch, all-gathers every map the loss reads (so
 * its anchors are scored against the negatives of the whole batch), reduce-scatters the partial
 * gradients of the gathered maps back to their owners, and all-reduces its parameter gradients.
 *
 * <p>Every replica must call the same operations in the same order with arrays of the same shape; a
 * call blocks until every replica has made it. A replica that fails calls {@link #abort}, and every
 * other replica's pending or next call then fails with a {@link CollectiveException} naming it; a
 * replica that never arrives makes the others fail after the group's timeout, naming the missing
 * ones.
 *
 * <p>Two implementations: {@link InProcessGroup}, replicas as threads of one process (the CPU
 * backend, and the tests), and NCCL on ND4J's CUDA stream for one process per GPU (engine-core's
 * cuda jar, {@code core.parallel.cuda.NcclCollectives}).
 */
public interface Collectives {

    /** This replica's index, from 0. */
    int rank();

    /** Number of replicas. */
    int size();

    /**
     * Every replica's {@code local} (same shape, batch first), concatenated along the first dimension
     * in rank order: the rows of replica r are [r * B, (r + 1) * B). A new array in the caller's
     * scope.
     */
    INDArray allGather(INDArray local);

    /**
     * The sum over replicas of {@code full} (same shape, {@code size() * B} rows), of which this
     * replica keeps its own rows [rank * B, (rank + 1) * B): the gradient of the rows it gathered
     * out. A new array in the caller's scope.
     */
    INDArray reduceScatter(INDArray full);

    /** Replaces {@code buffer} by the sum of every replica's, in place. */
    void allReduceSum(INDArray buffer);

    /** The sum of every replica's {@code values}, element by element (loss parts, counts). */
    double[] allReduceSum(double[] values);

    /** Copies replica {@code root}'s {@code buffer} into every replica's, in place. */
    void broadcast(INDArray buffer, int root);

    /** Returns once every replica has arrived. */
    void barrier();

    /**
     * Marks this replica as failed: every other replica's collective call fails with a {@link
     * CollectiveException} that names it and {@code cause}, instead of waiting forever.
     */
    void abort(Throwable cause);
}
