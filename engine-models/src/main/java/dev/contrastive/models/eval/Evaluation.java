package dev.contrastive.models.eval;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.DatasetInfo;
import dev.contrastive.models.eval.EvaluationOptions.Probe;
import dev.contrastive.models.eval.EvaluationReport.Scores;
import dev.contrastive.models.eval.EvaluationReport.Split;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.registry.Methods;
import dev.contrastive.models.train.TrainedModel;
import java.util.function.Function;

/**
 * Measures how good a method's frozen features are: the probes of {@link EvaluationOptions} fitted
 * on the train split's features and scored on the test split's, and optionally the same probes on
 * the two baselines, raw pixels and a randomly initialised model of the same configuration (the
 * same features of the same architecture), so that the learned features are judged against them in
 * one run with one preprocessing.
 */
public final class Evaluation {

    /** Names of the three kinds of features, as they appear in the report and the CLI's lines. */
    public static final String LEARNED = "learned";

    public static final String RAW_PIXELS = "raw pixels";
    public static final String RANDOM_INIT = "random-init";

    private final EvaluationOptions options;

    public Evaluation(EvaluationOptions options) {
        this.options = ProbeTraining.requireOptions("evaluation", options);
    }

    /**
     * Evaluates a checkpoint's method, preprocessing with the evaluation transform of the preset it
     * trained with; see {@link #run(String, long, Method, Dataset, Dataset, FeatureExtractor)}.
     *
     * @param batch images per feature-extraction batch
     */
    public EvaluationReport run(TrainedModel trained, Dataset train, Dataset test, int batch) {
        return run(
                trained.checkpoint().toString(),
                trained.step(),
                trained.method(),
                train,
                test,
                FeatureExtractor.forPreset(trained.preset(), batch));
    }

    /**
     * Fits every probe on {@code train} and scores it on {@code test}.
     *
     * @param checkpoint where the method came from, for the report; null if from nowhere
     * @param step the method's optimiser step, for the report
     * @param method the method; not closed
     * @param extractor preprocessing and batch size of the feature extraction
     * @throws IllegalArgumentException if a split is unlabelled or empty, the splits differ in
     *     classes or image shape, or the preprocessing does not make the method's input
     */
    public EvaluationReport run(
            String checkpoint, long step, Method method, Dataset train, Dataset test, FeatureExtractor extractor) {
        DatasetInfo a = train.info();
        DatasetInfo b = test.info();
        if (a.classes() != b.classes()) {
            throw splitsDiffer(a, a.classes() + " classes", b, b.classes());
        }
        if (a.channels() != b.channels() || a.height() != b.height() || a.width() != b.width()) {
            throw splitsDiffer(a, imageShape(a) + " images", b, imageShape(b));
        }
        long start = System.nanoTime();
        Scores learned = score(LEARNED, d -> extractor.features(d, method), train, test);
        Scores raw = null;
        Scores random = null;
        if (options.baselines()) {
            raw = score(RAW_PIXELS, extractor::rawPixels, train, test);
            try (Method init = Methods.create(method.config(), options.randomInitSeed())) {
                random = score(RANDOM_INIT, d -> extractor.features(d, init), train, test);
            }
        }
        return new EvaluationReport(
                checkpoint,
                step,
                method.config().method(),
                new Split(a.name(), a.size(), a.classes()),
                new Split(b.name(), b.size(), b.classes()),
                options,
                learned,
                raw,
                random,
                seconds(start));
    }

    private Scores score(String name, Function<Dataset, FeatureSet> features, Dataset train, Dataset test) {
        long start = System.nanoTime();
        FeatureSet trainSet = features.apply(train);
        try {
            FeatureSet testSet = features.apply(test);
            try {
                double extraction = seconds(start);
                long probing = System.nanoTime();
                ProbeResult linear = options.probes().contains(Probe.LINEAR)
                        ? new LinearProbe(options.probe()).fitAndEvaluate(trainSet, testSet)
                        : null;
                ProbeResult mlp = options.probes().contains(Probe.MLP)
                        ? new MlpProbe(options.probe()).fitAndEvaluate(trainSet, testSet)
                        : null;
                Double knn = options.probes().contains(Probe.KNN)
                        ? new KnnEvaluation(options.knn()).accuracy(trainSet, testSet)
                        : null;
                return new Scores(name, trainSet.dim(), extraction, linear, mlp, knn, seconds(probing));
            } finally {
                testSet.features().close();
            }
        } finally {
            trainSet.features().close();
        }
    }

    /** "evaluation: train split 'a' has {@code trainHas}, test split 'b' has {@code testHas}". */
    private static IllegalArgumentException splitsDiffer(
            DatasetInfo a, String trainHas, DatasetInfo b, Object testHas) {
        return new IllegalArgumentException("evaluation: train split '"
                + a.name()
                + "' has "
                + trainHas
                + ", test split '"
                + b.name()
                + "' has "
                + testHas);
    }

    /** "C x H x W". */
    private static String imageShape(DatasetInfo d) {
        return d.channels() + " x " + d.height() + " x " + d.width();
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
