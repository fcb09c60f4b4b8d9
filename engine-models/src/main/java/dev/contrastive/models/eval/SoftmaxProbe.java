package dev.contrastive.models.eval;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * What {@link LinearProbe} and {@link MlpProbe} share: a DL4J network ending in a softmax, fitted
 * on the train split and scored on both by {@link ProbeTraining}; a subclass says which network.
 */
abstract class SoftmaxProbe {

    private final String name;
    private final ProbeOptions options;

    /** @param name the probe's name in error messages: "linearProbe", "mlpProbe" */
    SoftmaxProbe(String name, ProbeOptions options) {
        this.name = name;
        this.options = ProbeTraining.requireOptions(name, options);
    }

    /**
     * Fits on {@code train} and scores on both splits.
     *
     * @throws IllegalArgumentException if the splits differ in feature dimension or classes
     */
    public final ProbeResult fitAndEvaluate(FeatureSet train, FeatureSet test) {
        ProbeTraining.checkSplits(name, train, test);
        MultiLayerNetwork net = new MultiLayerNetwork(network(options, train.dim(), train.classes()));
        net.init();
        return ProbeTraining.fitAndEvaluate(net, train, test, options);
    }

    /** The network from {@code dim} features to a softmax over {@code classes}, not initialised. */
    abstract MultiLayerConfiguration network(ProbeOptions options, int dim, int classes);
}
