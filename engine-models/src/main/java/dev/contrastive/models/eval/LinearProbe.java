package dev.contrastive.models.eval;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A linear probe: multinomial logistic regression from frozen features to labels, fitted on the
 * train split and scored on the test split.
 *
 * <p>Features are standardised with the train split's per-feature mean and deviation (see {@link
 * Standardizer}), so Adam's single step size suits every feature whatever the encoder's scale. The
 * model is a DL4J {@link org.deeplearning4j.nn.multilayer.MultiLayerNetwork} of one softmax {@link OutputLayer} with cross-entropy
 * loss, the user's chosen library for probes, trained with Adam on shuffled minibatches (see {@link
 * ProbeTraining}).
 */
public final class LinearProbe extends SoftmaxProbe {

    public LinearProbe(ProbeOptions options) {
        super("linearProbe", options);
    }

    @Override
    MultiLayerConfiguration network(ProbeOptions options, int dim, int classes) {
        return ProbeTraining.layers(options, WeightInit.XAVIER)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(dim)
                        .nOut(classes)
                        .activation(Activation.SOFTMAX)
                        .build())
                .build();
    }
}
