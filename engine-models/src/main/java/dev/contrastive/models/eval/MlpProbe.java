package dev.contrastive.models.eval;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * AMDIM's MLP probe (amdim-public {@code MLPClassifier} with {@code n_hidden = 1024}): dropout 0.1
 * on the features, a bias-free linear layer to 1024 units, batch norm, ReLU, dropout 0.2, then a
 * softmax linear layer. Fitted and scored like {@link LinearProbe} (see {@link ProbeTraining}).
 *
 * <p>DL4J's dropout argument is the probability of keeping a unit, not of dropping it as in torch,
 * hence the 0.9 and 0.8 below.
 */
public final class MlpProbe extends SoftmaxProbe {

    /** Hidden width, as AMDIM's evaluator uses. */
    public static final int HIDDEN = 1024;

    private static final double KEEP_INPUT = 0.9;
    private static final double KEEP_HIDDEN = 0.8;

    public MlpProbe(ProbeOptions options) {
        super("mlpProbe", options);
    }

    @Override
    MultiLayerConfiguration network(ProbeOptions options, int dim, int classes) {
        return ProbeTraining.layers(options, WeightInit.RELU)
                .layer(new DenseLayer.Builder()
                        .nIn(dim)
                        .nOut(HIDDEN)
                        .hasBias(false)
                        .activation(Activation.IDENTITY)
                        .dropOut(new Dropout(KEEP_INPUT))
                        .build())
                .layer(new BatchNormalization.Builder().nOut(HIDDEN).build())
                // A layer of its own: with the ReLU configured on the BatchNormalization layer instead,
                // the XOR test in MlpProbeTest stayed at chance (52%), as a linear network would.
                .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(HIDDEN)
                        .nOut(classes)
                        .weightInit(WeightInit.XAVIER)
                        .activation(Activation.SOFTMAX)
                        .dropOut(new Dropout(KEEP_HIDDEN))
                        .build())
                .build();
    }
}
