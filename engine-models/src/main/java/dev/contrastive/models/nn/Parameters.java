package dev.contrastive.models.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Named trainable tensors with their gradient accumulators, plus named non-trainable buffers
 * (batch-norm running statistics).
 *
 * <p>Two phases. While a model is built, layers {@link #declare} their tensors with initial values;
 * {@link #seal} then packs all values into one flat array (and all gradients into another of the
 * same layout, all buffers into a third) and hands each tensor a view. The flat arrays let an
 * optimiser update every parameter with a few whole-array ops, and make checkpoints one array each.
 * Declaration order fixes the layout, so the same model code gives the same layout.
 *
 * <p>After sealing, declaring a name that exists (with the same shape and kind) binds to the
 * existing tensor and ignores the initial values. That is how a replica of a model is built: a
 * second module graph with its own forward caches over the same weights and running statistics,
 * e.g. one per augmented view, since each module keeps the cache of its last forward only.
 *
 * <p>Owns its three flat arrays; {@link #close()} frees them.
 */
public final class Parameters implements AutoCloseable {

    /** One tensor: its name, shape, and after sealing its value and gradient views. */
    public static final class Tensor {
        private final String name;
        private final long[] shape;
        private final boolean trainable;
        private double[] initial;
        private INDArray value;
        private INDArray grad;

        private Tensor(String name, long[] shape, boolean trainable, double[] initial) {
            this.name = name;
            this.shape = shape.clone();
            this.trainable = trainable;
            this.initial = initial;
        }

        public String name() {
            return name;
        }

        public long[] shape() {
            return shape.clone();
        }

        public boolean trainable() {
            return trainable;
        }

        /** The value view into the flat array; only after {@link Parameters#seal}. */
        public INDArray value() {
            if (value == null) {
                throw new IllegalStateException("parameter " + name + " read before Parameters.seal()");
            }
            return value;
        }

        /** The gradient accumulator view; only for trainable tensors, after sealing. */
        public INDArray grad() {
            if (!trainable) {
                throw new IllegalStateException(name + " is a buffer and has no gradient");
            }
            if (grad == null) {
                throw new IllegalStateException("gradient of " + name + " read before Parameters.seal()");
            }
            return grad;
        }
    }

    private final DataType dataType;
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private INDArray flatValues;
    private INDArray flatGrads;
    private INDArray flatBuffers;

    /**
     * @param dataType FLOAT for training, DOUBLE for gradient checks
     */
    public Parameters(DataType dataType) {
        if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
            throw new IllegalArgumentException("parameters.dataType must be FLOAT or DOUBLE, got " + dataType);
        }
        this.dataType = dataType;
    }

    public DataType dataType() {
        return dataType;
    }

    /** Declares a trainable tensor with its initial values in C order. */
    public Tensor declare(String name, long[] shape, double[] initial) {
        return add(new Tensor(name, shape, true, initial));
    }

    /** Declares a non-trainable buffer (running statistics) with its initial values in C order. */
    public Tensor declareBuffer(String name, long[] shape, double[] initial) {
        return add(new Tensor(name, shape, false, initial));
    }

    private Tensor add(Tensor t) {
        if (flatValues != null) {
            Tensor existing = tensors.get(t.name);
            if (existing == null) {
                throw new IllegalStateException("cannot declare new tensor " + t.name + " after Parameters.seal()");
            }
            if (!java.util.Arrays.equals(existing.shape, t.shape) || existing.trainable != t.trainable) {
                throw new IllegalArgumentException("replica declares "
                        + t.name
                        + " as "
                        + java.util.Arrays.toString(t.shape)
                        + " but it is "
                        + java.util.Arrays.toString(existing.shape));
            }
            return existing;
        }
        if (tensors.containsKey(t.name)) {
            throw new IllegalArgumentException("parameter name declared twice: " + t.name);
        }
        long n = 1;
        for (long d : t.shape) {
            if (d <= 0) {
                throw new IllegalArgumentException(
                        "parameter " + t.name + " has a non-positive dimension: " + java.util.Arrays.toString(t.shape));
            }
            n *= d;
        }
        if (t.initial.length != n) {
            throw new IllegalArgumentException(
                    "parameter " + t.name + " needs " + n + " initial values, got " + t.initial.length);
        }
        tensors.put(t.name, t);
        return t;
    }

    /** Allocates the flat arrays, copies the initial values in, and hands out views. Once. */
    public Parameters seal() {
        if (flatValues != null) {
            throw new IllegalStateException("Parameters.seal() called twice");
        }
        long nParams = 0;
        long nBuffers = 0;
        for (Tensor t : tensors.values()) {
            if (t.trainable) {
                nParams += t.initial.length;
            } else {
                nBuffers += t.initial.length;
            }
        }
        double[] values = new double[Math.toIntExact(nParams)];
        double[] buffers = new double[Math.toIntExact(nBuffers)];
        long pOff = 0;
        long bOff = 0;
        for (Tensor t : tensors.values()) {
            double[] dst = t.trainable ? values : buffers;
            long off = t.trainable ? pOff : bOff;
            System.arraycopy(t.initial, 0, dst, (int) off, t.initial.length);
            if (t.trainable) {
                pOff += t.initial.length;
            } else {
                bOff += t.initial.length;
            }
        }
        // Always rank 1 and at least one element, so views and optimiser ops need no special case.
        flatValues = Nd4j.createFromArray(values.length == 0 ? new double[1] : values)
                .castTo(dataType);
        flatGrads = Nd4j.zeros(dataType, flatValues.length());
        flatBuffers = Nd4j.createFromArray(buffers.length == 0 ? new double[1] : buffers)
                .castTo(dataType);
        pOff = 0;
        bOff = 0;
        for (Tensor t : tensors.values()) {
            long n = t.initial.length;
            if (t.trainable) {
                t.value = flatValues.get(NDArrayIndex.interval(pOff, pOff + n)).reshape('c', t.shape);
                t.grad = flatGrads.get(NDArrayIndex.interval(pOff, pOff + n)).reshape('c', t.shape);
                pOff += n;
            } else {
                t.value = flatBuffers.get(NDArrayIndex.interval(bOff, bOff + n)).reshape('c', t.shape);
                bOff += n;
            }
            t.initial = null;
        }
        return this;
    }

    public boolean sealed() {
        return flatValues != null;
    }

    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no parameter or buffer named " + name);
        }
        return t;
    }

    /** All tensors (trainable and buffers) in declaration order. */
    public List<Tensor> all() {
        return Collections.unmodifiableList(new ArrayList<>(tensors.values()));
    }

    /** Trainable tensors in declaration order. */
    public List<Tensor> trainable() {
        return tensors.values().stream().filter(Tensor::trainable).toList();
    }

    /** Number of trainable scalars. */
    public long count() {
        return trainable().stream().mapToLong(t -> t.value().length()).sum();
    }

    /** Flat view of every trainable value (for the optimiser and checkpoints). */
    public INDArray flatValues() {
        requireSealed();
        return flatValues;
    }

    /** Flat gradient accumulator, same layout as {@link #flatValues()}. */
    public INDArray flatGrads() {
        requireSealed();
        return flatGrads;
    }

    /** Flat view of every buffer (running statistics). */
    public INDArray flatBuffers() {
        requireSealed();
        return flatBuffers;
    }

    /** Sets every gradient accumulator to zero; call before each backward. */
    public void zeroGrad() {
        requireSealed();
        flatGrads.assign(0);
    }

    private void requireSealed() {
        if (flatValues == null) {
            throw new IllegalStateException("Parameters used before seal()");
        }
    }

    @Override
    public void close() {
        if (flatValues != null) {
            flatValues.close();
            flatGrads.close();
            flatBuffers.close();
        }
    }
}
