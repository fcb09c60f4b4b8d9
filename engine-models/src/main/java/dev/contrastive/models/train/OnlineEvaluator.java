package dev.contrastive.models.train;

import dev.contrastive.models.nn.Parameters;
import dev.contrastive.models.train.optim.Adam;
import dev.contrastive.models.train.optim.AdamOptions;
import dev.contrastive.models.train.optim.AdamState;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The online evaluator of AMDIM and Bolts' {@code SSLOnlineEvaluator}: a linear softmax head on the
 * encoder's detached r1 features, trained by its own Adam on each training batch's labels while the
 * encoder trains. Its accuracy tracks how linearly separable the features are without stopping for
 * an offline probe. Nothing flows back into the encoder: the head sees r1 as a constant.
 *
 * <p>The weights start at zero (uniform predictions), so the head is a function of the training
 * batches alone and a resumed run reproduces it from the checkpointed weights and moments. The
 * arrays of each call are made in the caller's workspace; the weights and moments live outside it.
 */
public final class OnlineEvaluator implements AutoCloseable {

    private final int classes;
    private final double lr;
    private final Parameters params;
    private final Adam adam;
    private final INDArray weight;
    private final INDArray bias;

    /**
     * @param dim the feature dimension (n_rkhs)
     * @param classes number of classes, >= 2
     * @param lr Adam step size, > 0
     */
    public OnlineEvaluator(int dim, int classes, double lr) {
        if (dim < 1 || classes < 2) {
            throw new IllegalArgumentException(
                    "onlineEvaluator needs dim >= 1 and classes >= 2, got dim=" + dim + ", classes=" + classes);
        }
        this.classes = classes;
        this.lr = lr;
        this.params = new Parameters(DataType.FLOAT);
        params.declare("online.weight", new long[] {dim, classes}, new double[dim * classes]);
        params.declare("online.bias", new long[] {classes}, new double[classes]);
        params.seal();
        this.weight = params.get("online.weight").value();
        this.bias = params.get("online.bias").value();
        // No weight decay: the head is a measurement, and AMDIM's classifiers trained without it.
        this.adam =
                new Adam(AdamOptions.builder().lr(lr).beta1(0.9).weightDecay(0).build(), params);
    }

    /**
     * One Adam update of the head on {@code features} and their labels.
     *
     * @param features (B, dim) detached r1 features
     * @param labels int (B) class labels; rows labelled -1 (unlabeled) are ignored
     * @return the accuracy of the head's predictions before the update, NaN if no row is labelled
     */
    public double trainStep(INDArray features, INDArray labels) {
        INDArray logits = logits(features);
        int[] y = labels.toIntVector();
        double accuracy = accuracy(logits, y);
        INDArray target = oneHot(y);
        long labelled = countLabelled(y);
        if (labelled == 0) {
            return accuracy;
        }
        // Softmax cross-entropy, mean over the labelled rows: dlogits = (p - onehot) / n on those rows.
        INDArray probs = Transforms.softmax(logits, true);
        INDArray mask = target.sum(1).reshape(y.length, 1);
        INDArray dLogits = probs.muliColumnVector(mask).subi(target).divi(labelled);
        params.get("online.weight").grad().assign(features.transpose().mmul(dLogits));
        params.get("online.bias").grad().assign(dLogits.sum(0));
        adam.step(params, lr);
        return accuracy;
    }

    /** The head's accuracy on {@code features} without training it; NaN if no row is labelled. */
    public double accuracy(INDArray features, INDArray labels) {
        return accuracy(logits(features), labels.toIntVector());
    }

    private INDArray logits(INDArray features) {
        return features.mmul(weight).addiRowVector(bias);
    }

    private static double accuracy(INDArray logits, int[] y) {
        int[] predicted = logits.argMax(1).toIntVector();
        long correct = 0;
        long labelled = 0;
        for (int i = 0; i < y.length; i++) {
            if (y[i] >= 0) {
                labelled++;
                correct += predicted[i] == y[i] ? 1 : 0;
            }
        }
        return labelled == 0 ? Double.NaN : (double) correct / labelled;
    }

    private INDArray oneHot(int[] y) {
        float[] data = new float[y.length * classes];
        for (int i = 0; i < y.length; i++) {
            if (y[i] >= classes) {
                throw new IllegalArgumentException("onlineEvaluator: label "
                        + y[i]
                        + " at row "
                        + i
                        + " is not below the "
                        + classes
                        + " classes");
            }
            if (y[i] >= 0) {
                data[i * classes + y[i]] = 1;
            }
        }
        return Nd4j.create(data, new long[] {y.length, classes});
    }

    private static long countLabelled(int[] y) {
        long n = 0;
        for (int label : y) {
            n += label >= 0 ? 1 : 0;
        }
        return n;
    }

    /** The weights, flat, for a checkpoint. */
    public INDArray flatWeights() {
        return params.flatValues();
    }

    public Adam optimizer() {
        return adam;
    }

    /** Restores weights and Adam state written by {@link #flatWeights()} and the optimiser. */
    void restore(float[] weights, AdamState state) {
        if (weights.length != params.flatValues().length()) {
            throw new IllegalArgumentException("online evaluator has "
                    + params.flatValues().length()
                    + " weights, the checkpoint "
                    + weights.length);
        }
        params.flatValues().assign(Nd4j.createFromArray(weights));
        adam.importState(state);
    }

    @Override
    public void close() {
        params.close();
    }
}
