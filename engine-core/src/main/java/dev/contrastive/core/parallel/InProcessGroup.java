package dev.contrastive.core.parallel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Collectives among replicas that are threads of one process: each operation is a rendezvous in
 * memory. Every replica leaves its operand in a slot, waits for the others, reads what it needs
 * from every slot, and waits again before the slots are reused; so an operand stays valid (its
 * memory is its replica's, which is blocked) for exactly as long as the others read it. The sums
 * add the replicas' arrays in rank order, so every replica computes bit-identical results.
 */
public final class InProcessGroup {

    private final int size;
    private final Duration timeout;
    private final CyclicBarrier barrier;
    private final Object[] slots;
    private volatile int failed = -1;
    private volatile Throwable failure;

    /**
     * @param size number of replicas, in [1, 1024]
     * @param timeout how long a replica waits for the others in one operation before it fails
     */
    public InProcessGroup(int size, Duration timeout) {
        if (size < 1 || size > 1024) {
            throw new IllegalArgumentException("group.size must be in [1, 1024], got " + size);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("group.timeout must be positive, got " + timeout);
        }
        this.size = size;
        this.timeout = timeout;
        this.barrier = new CyclicBarrier(size);
        this.slots = new Object[size];
    }

    /** The handles of replicas 0 .. size - 1, one per replica thread. */
    public List<Collectives> replicas() {
        List<Collectives> handles = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            handles.add(new Replica(r));
        }
        return handles;
    }

    private final class Replica implements Collectives {
        private final int rank;

        Replica(int rank) {
            this.rank = rank;
        }

        @Override
        public int rank() {
            return rank;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public INDArray allGather(INDArray local) {
            INDArray[] all = exchange("allGather", local, INDArray[].class);
            INDArray gathered = size == 1 ? local.dup() : Nd4j.concat(0, all);
            done();
            return gathered;
        }

        @Override
        public INDArray reduceScatter(INDArray full) {
            long rows = full.size(0);
            if (rows % size != 0) {
                throw new IllegalArgumentException("reduceScatter needs a multiple of " + size + " rows, got " + rows);
            }
            long own = rows / size;
            INDArray[] all = exchange("reduceScatter", full, INDArray[].class);
            INDArray sum = null;
            for (INDArray a : all) {
                INDArray mine = a.get(NDArrayIndex.interval(rank * own, (rank + 1) * own));
                sum = sum == null ? mine.dup() : sum.addi(mine);
            }
            done();
            return sum;
        }

        @Override
        public void allReduceSum(INDArray buffer) {
            INDArray[] all = exchange("allReduce", buffer, INDArray[].class);
            INDArray sum = all[0].dup();
            for (int r = 1; r < size; r++) {
                sum.addi(all[r]);
            }
            done();
            buffer.assign(sum);
            sum.close();
        }

        @Override
        public double[] allReduceSum(double[] values) {
            double[][] all = exchange("allReduce", values, double[][].class);
            double[] sum = new double[values.length];
            for (double[] v : all) {
                if (v.length != values.length) {
                    throw new IllegalArgumentException("allReduceSum of " + values.length + " values met " + v.length);
                }
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += v[i];
                }
            }
            done();
            return sum;
        }

        @Override
        public void broadcast(INDArray buffer, int root) {
            INDArray[] all = exchange("broadcast", buffer, INDArray[].class);
            if (rank != root) {
                buffer.assign(all[root]);
            }
            done();
        }

        @Override
        public void barrier() {
            await("barrier");
        }

        @Override
        public void abort(Throwable cause) {
            if (failed < 0) {
                failure = cause;
                failed = rank;
            }
            barrier.reset();
        }

        /**
         * Leaves {@code operand} in this replica's slot, waits for every replica's, and returns them
         * all; the caller reads them and then calls {@link #done()}.
         */
        @SuppressWarnings("unchecked")
        private <T, A> A exchange(String op, T operand, Class<A> arrayType) {
            slots[rank] = operand;
            await(op);
            Object[] copy = (Object[]) java.lang.reflect.Array.newInstance(arrayType.getComponentType(), size);
            System.arraycopy(slots, 0, copy, 0, size);
            return (A) copy;
        }

        /** Every replica has read the slots; they may be reused. */
        private void done() {
            await("release");
        }

        private void await(String op) {
            if (failed >= 0) {
                throw failure(op);
            }
            try {
                barrier.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new CollectiveException(
                        "replica "
                                + rank
                                + " of "
                                + size
                                + ": "
                                + op
                                + " timed out after "
                                + timeout
                                + " waiting for the other replicas (a replica is gone or stuck)",
                        -1,
                        e);
            } catch (BrokenBarrierException e) {
                if (failed >= 0) {
                    throw failure(op);
                }
                throw new CollectiveException(
                        "replica " + rank + " of " + size + ": " + op + " ended because another replica timed out",
                        -1,
                        e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CollectiveException("replica " + rank + " of " + size + ": interrupted in " + op, -1, e);
            }
        }

        private CollectiveException failure(String op) {
            return new CollectiveException(
                    "replica "
                            + failed
                            + " of "
                            + size
                            + " failed: "
                            + failure.getMessage()
                            + " (seen by replica "
                            + rank
                            + " in "
                            + op
                            + ")",
                    failed,
                    failure);
        }
    }
}
