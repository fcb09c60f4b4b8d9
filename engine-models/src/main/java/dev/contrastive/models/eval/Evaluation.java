package dev.contrastive.models.eval;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.DatasetInfo;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.eval.EvaluationOptions.Probe;
import dev.contrastive.models.eval.EvaluationReport.Scores;
import dev.contrastive.models.eval.EvaluationReport.Split;
import dev.contrastive.models.train.TrainedEncoder;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Measures how good an encoder's frozen r1 features are: the probes of {@link EvaluationOptions}
 * fitted on the train split's features and scored on the test split's, and optionally the same
 * probes on the two baselines, raw pixels and a randomly initialised encoder of the same
 * configuration, so that the learned features are judged against them in one run with one
 * preprocessing.
 */
public final class Evaluation {

  /** Names of the three kinds of features, as they appear in the report and the CLI's lines. */
  public static final String LEARNED = "learned r1";
  public static final String RAW_PIXELS = "raw pixels";
  public static final String RANDOM_INIT = "random-init r1";

  private final EvaluationOptions options;

  public Evaluation(EvaluationOptions options) {
    if (options == null) {
      throw new IllegalArgumentException("evaluation.options must not be null");
    }
    this.options = options;
  }

  /**
   * The evaluation transform for {@code data} and an encoder of configuration {@code encoder}.
   *
   * <p>A checkpoint does not record the augmentation preset it was trained with, so the transform
   * cannot be read from it; the only one known to match training is Fashion-MNIST's (pad 28 x 28
   * grayscale to 32 x 32, the preset's normalisation). Anything else is refused rather than
   * evaluated with a guessed normalisation that would quietly lower the accuracies.
   *
   * @throws IllegalArgumentException naming the dataset's shape and the supported data
   */
  public static FeatureExtractor extractorFor(DatasetInfo data, AmdimConfig encoder, int batch) {
    boolean fashionShaped = data.channels() == 1 && data.height() == 28 && data.width() == 28;
    if (!fashionShaped) {
      throw new IllegalArgumentException("dataset '" + data.name() + "' has " + data.channels()
          + " x " + data.height() + " x " + data.width() + " images; evaluation supports only"
          + " Fashion-MNIST-shaped data (1 x 28 x 28: fashion-mnist:train, fashion-mnist:test, or"
          + " an IDX folder or HDF5 file of such images), the one preprocessing a checkpoint is"
          + " known to have been trained with");
    }
    if (encoder.inChannels() != 1 || encoder.encoderSize() != 32) {
      throw new IllegalArgumentException("dataset '" + data.name() + "' is Fashion-MNIST-shaped"
          + " (padded to 1 x 32 x 32), but the encoder takes " + encoder.inChannels() + " x "
          + encoder.encoderSize() + " x " + encoder.encoderSize());
    }
    return FeatureExtractor.fashionMnist(batch);
  }

  /** Evaluates a checkpoint's encoder; see {@link #run(String, long, AmdimEncoder, Dataset, Dataset, FeatureExtractor)}. */
  public EvaluationReport run(
      TrainedEncoder trained, Dataset train, Dataset test, FeatureExtractor extractor) {
    return run(trained.checkpoint().toString(), trained.step(), trained.encoder(), train, test,
        extractor);
  }

  /**
   * Fits every probe on {@code train} and scores it on {@code test}.
   *
   * @param checkpoint where the encoder came from, for the report; null if from nowhere
   * @param step the encoder's optimiser step, for the report
   * @param encoder the encoder; not closed
   * @param extractor preprocessing and batch size of the feature extraction
   * @throws IllegalArgumentException if a split is unlabelled or empty, or the splits differ in
   *     classes or image shape
   */
  public EvaluationReport run(String checkpoint, long step, AmdimEncoder encoder, Dataset train,
      Dataset test, FeatureExtractor extractor) {
    DatasetInfo a = train.info();
    DatasetInfo b = test.info();
    if (a.classes() != b.classes()) {
      throw new IllegalArgumentException("evaluation: train split '" + a.name() + "' has "
          + a.classes() + " classes, test split '" + b.name() + "' has " + b.classes());
    }
    if (a.channels() != b.channels() || a.height() != b.height() || a.width() != b.width()) {
      throw new IllegalArgumentException("evaluation: train split '" + a.name() + "' has "
          + a.channels() + " x " + a.height() + " x " + a.width() + " images, test split '"
          + b.name() + "' has " + b.channels() + " x " + b.height() + " x " + b.width());
    }
    long start = System.nanoTime();
    Scores learned = score(LEARNED, d -> extractor.encoderR1(d, encoder), train, test);
    Scores raw = null;
    Scores random = null;
    if (options.baselines()) {
      raw = score(RAW_PIXELS, extractor::rawPixels, train, test);
      try (AmdimEncoder init =
          AmdimEncoder.create(encoder.config(), DataType.FLOAT, options.randomInitSeed())) {
        random = score(RANDOM_INIT, d -> extractor.encoderR1(d, init), train, test);
      }
    }
    return new EvaluationReport(checkpoint, step,
        new Split(a.name(), a.size(), a.classes()), new Split(b.name(), b.size(), b.classes()),
        options, learned, raw, random, seconds(start));
  }

  private Scores score(String name, Function<Dataset, FeatureSet> features, Dataset train,
      Dataset test) {
    long start = System.nanoTime();
    FeatureSet trainSet = features.apply(train);
    try {
      FeatureSet testSet = features.apply(test);
      try {
        double extraction = seconds(start);
        long probing = System.nanoTime();
        ProbeResult linear = options.probes().contains(Probe.LINEAR)
            ? new LinearProbe(options.probe()).fitAndEvaluate(trainSet, testSet) : null;
        ProbeResult mlp = options.probes().contains(Probe.MLP)
            ? new MlpProbe(options.probe()).fitAndEvaluate(trainSet, testSet) : null;
        Double knn = options.probes().contains(Probe.KNN)
            ? new KnnEvaluation(options.knn()).accuracy(trainSet, testSet) : null;
        return new Scores(name, trainSet.dim(), extraction, linear, mlp, knn, seconds(probing));
      } finally {
        testSet.features().close();
      }
    } finally {
      trainSet.features().close();
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
