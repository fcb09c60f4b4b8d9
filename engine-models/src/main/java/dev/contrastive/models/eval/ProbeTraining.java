package dev.contrastive.models.eval;

import java.util.Random;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

/**
 * What every probe shares: checks that the splits match, standardises both with the train split's
 * statistics (see {@link Standardizer}), holds out {@link ProbeOptions#validationFraction()} of the
 * train rows, fits a softmax network on shuffled minibatches of the rest (order from {@link
 * ProbeOptions#seed()}) keeping the epoch that scores best on the held-out rows, and scores in
 * inference mode.
 */
final class ProbeTraining {

    private ProbeTraining() {}

    /**
     * {@code options}, or an error naming {@code owner}'s options if they are null.
     *
     * @throws IllegalArgumentException if {@code options} is null
     */
    static <T> T requireOptions(String owner, T options) {
        if (options == null) {
            throw new IllegalArgumentException(owner + ".options must not be null");
        }
        return options;
    }

    /**
     * Fits {@code net} (input F = train.dim(), softmax output over train.classes()) on {@code train}
     * and scores it on both splits.
     */
    static ProbeResult fitAndEvaluate(MultiLayerNetwork net, FeatureSet train, FeatureSet test, ProbeOptions options) {
        Standardizer standardizer = Standardizer.fit(train.features());
        INDArray x = standardizer.apply(train.features()).castTo(DataType.FLOAT);
        INDArray xTest = standardizer.apply(test.features()).castTo(DataType.FLOAT);
        int n = train.size();
        int held = (int) Math.round(n * options.validationFraction());
        int[] order = permutation(n, new Random(options.seed() ^ VALIDATION_SALT));
        int[] fitRows = java.util.Arrays.copyOfRange(order, held, n);
        int[] validationRows = java.util.Arrays.copyOf(order, held);
        INDArray xFit = held == 0 ? x : Nd4j.pullRows(x, 1, fitRows);
        int[] yFit = held == 0 ? train.labels() : pick(train.labels(), fitRows);
        INDArray xValidation = held == 0 ? null : Nd4j.pullRows(x, 1, validationRows);
        int[] yValidation = held == 0 ? null : pick(train.labels(), validationRows);
        Fitted best = fit(net, options, xFit, yFit, train.classes(), xValidation, yValidation);
        return new ProbeResult(
                accuracy(net, options, xFit, yFit),
                accuracy(net, options, xTest, test.labels()),
                train.size(),
                test.size(),
                train.dim(),
                best.epochs(),
                best.validationAccuracy());
    }

    /**
     * Epochs without a better validation score after which fitting stops: the kept weights are the
     * best epoch's either way, so this only saves the epochs that could not be kept. Learned
     * features' held-out accuracy rises slowly with plateaus of tens of epochs (a patience of 20
     * stopped the small AMDIM's probe at epoch 47 where the curve was still rising), so the patience
     * is generous.
     */
    static final int PATIENCE = 50;

    /**
     * Mixed into the probe's seed for the validation split, so it differs from the minibatch order.
     */
    private static final long VALIDATION_SALT = 0x5a17_0f_7a11L;

    /** The kept epoch count and its validation accuracy (NaN without validation rows). */
    private record Fitted(int epochs, double validationAccuracy) {}

    /**
     * What every probe network shares: seed, float32, Adam at the options' rate, L2, initialisation.
     */
    static NeuralNetConfiguration.ListBuilder layers(ProbeOptions options, WeightInit init) {
        return new NeuralNetConfiguration.Builder()
                .seed(options.seed())
                .dataType(DataType.FLOAT)
                .updater(new Adam(options.learningRate()))
                .weightInit(init)
                .l2(options.l2())
                .list();
    }

    /**
     * @param probe the probe's name, which the message starts with
     * @throws IllegalArgumentException if the splits differ in feature dimension or classes
     */
    static void checkSplits(String probe, FeatureSet train, FeatureSet test) {
        if (train.dim() != test.dim() || train.classes() != test.classes()) {
            throw new IllegalArgumentException(probe
                    + " needs train and test of the same shape, got "
                    + train.dim()
                    + " features / "
                    + train.classes()
                    + " classes and "
                    + test.dim()
                    + " / "
                    + test.classes());
        }
    }

    /**
     * Trains {@code net} for up to {@code options.epochs()} epochs; with validation rows, scores them
     * after every epoch and leaves {@code net} with the weights of the best epoch (the earliest of
     * equal scores).
     */
    private static Fitted fit(
            MultiLayerNetwork net,
            ProbeOptions options,
            INDArray x,
            int[] labels,
            int classes,
            INDArray xValidation,
            int[] yValidation) {
        int n = labels.length;
        INDArray oneHot = oneHot(labels, classes);
        int[] order = permutation(n, null);
        Random random = new Random(options.seed());
        // One native gather per epoch into arrays allocated once, then contiguous views: a gather per
        // minibatch costs about as much as the minibatch's fit step (~14 ms per getRows of 256 rows),
        // and getRows(order) of a whole split copies row by row from Java.
        INDArray xs = Nd4j.create(x.dataType(), x.shape());
        INDArray ys = Nd4j.create(oneHot.dataType(), oneHot.shape());
        INDArray bestParams = null;
        int bestEpochs = options.epochs();
        double bestAccuracy = Double.NaN;
        for (int epoch = 1; epoch <= options.epochs(); epoch++) {
            shuffle(order, random);
            Nd4j.pullRows(x, xs, 1, order);
            Nd4j.pullRows(oneHot, ys, 1, order);
            for (int start = 0; start < n; start += options.batchSize()) {
                int end = Math.min(n, start + options.batchSize());
                net.fit(
                        xs.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()),
                        ys.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()));
            }
            if (xValidation != null) {
                double accuracy = accuracy(net, options, xValidation, yValidation);
                if (bestParams == null || accuracy > bestAccuracy) {
                    bestAccuracy = accuracy;
                    bestEpochs = epoch;
                    bestParams = net.params().dup();
                } else if (epoch - bestEpochs >= PATIENCE) {
                    break;
                }
            }
        }
        if (bestParams != null) {
            net.setParams(bestParams);
        }
        return new Fitted(bestEpochs, bestAccuracy);
    }

    /** 0 .. n-1, shuffled by {@code random} when it is given. */
    private static int[] permutation(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (random != null) {
            shuffle(order, random);
        }
        return order;
    }

    private static int[] pick(int[] values, int[] rows) {
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = values[rows[i]];
        }
        return out;
    }

    /** Fisher-Yates with the probe's own generator, so the order depends only on the seed. */
    private static void shuffle(int[] order, Random random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    private static INDArray oneHot(int[] labels, int classes) {
        float[] data = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            data[i * classes + labels[i]] = 1f;
        }
        return Nd4j.create(data, new long[] {labels.length, classes}, DataType.FLOAT);
    }

    /**
     * Fraction of rows whose arg-max class is the label, predicted in batches of the probe's size.
     */
    private static double accuracy(MultiLayerNetwork net, ProbeOptions options, INDArray x, int[] labels) {
        int correct = 0;
        for (int start = 0; start < labels.length; start += options.batchSize()) {
            int end = Math.min(labels.length, start + options.batchSize());
            INDArray probabilities = net.output(x.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()), false);
            long[] predicted = probabilities.argMax(1).toLongVector();
            for (int i = start; i < end; i++) {
                if (predicted[i - start] == labels[i]) {
                    correct++;
                }
            }
        }
        return (double) correct / labels.length;
    }
}
