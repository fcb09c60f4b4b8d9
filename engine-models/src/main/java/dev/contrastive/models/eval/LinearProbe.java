package dev.contrastive.models.eval;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A linear probe: multinomial logistic regression from frozen features to labels, fitted on the
 * train split and scored on the test split.
 *
 * <p>Features are standardised with the train split's per-feature mean and deviation (see {@link
 * Standardizer}), so Adam's single step size suits every feature whatever the encoder's scale. The
 * model is a DL4J {@link MultiLayerNetwork} of one softmax {@link OutputLayer} with cross-entropy
 * loss, the user's chosen library for probes, trained with Adam on shuffled minibatches (see {@link
 * ProbeTraining}).
 */
public final class LinearProbe {

    private final ProbeOptions options;

    public LinearProbe(ProbeOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("linearProbe.options must not be null");
        }
        this.options = options;
    }

    /**
     * Fits on {@code train} and scores on both splits.
     *
     * @throws IllegalArgumentException if the splits differ in feature dimension or classes
     */
    public ProbeResult fitAndEvaluate(FeatureSet train, FeatureSet test) {
        ProbeTraining.checkSplits("linearProbe", train, test);
        return ProbeTraining.fitAndEvaluate(network(train.dim(), train.classes()), train, test, options);
    }

    private MultiLayerNetwork network(int dim, int classes) {
        MultiLayerConfiguration conf = ProbeTraining.layers(options, WeightInit.XAVIER)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(dim)
                        .nOut(classes)
                        .activation(Activation.SOFTMAX)
                        .build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
