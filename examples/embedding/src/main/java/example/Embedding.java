package example;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.Datasets;
import dev.contrastive.augment.data.InMemoryDataset;
import dev.contrastive.augment.transform.Presets;
import dev.contrastive.core.loss.InfoNceLoss;
import dev.contrastive.core.loss.InfoNceOptions;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.models.eval.FeatureExtractor;
import dev.contrastive.models.eval.FeatureSet;
import dev.contrastive.models.eval.LinearProbe;
import dev.contrastive.models.eval.ProbeOptions;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.MethodProvider;
import dev.contrastive.models.registry.Methods;
import dev.contrastive.models.train.LoggingListener;
import dev.contrastive.models.train.Trainer;
import dev.contrastive.models.train.TrainerConfig;
import java.io.IOException;
import java.time.Duration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Trains a method chosen by name, probes it, and calls a fused loss on tensors of its own. */
public final class Embedding {

  public static void main(String[] args) throws IOException {
    // readme:begin
    try (Dataset train = Datasets.open("fashion-mnist:train");   // the embedded 10,000-image subset
        Dataset test = Datasets.open("fashion-mnist:test")) {
      MethodProvider<?> simclr = Methods.get("simclr");
      TrainerConfig config = TrainerConfig.builder(simclr.defaultConfig(train.info(), "small"))
          .preset(simclr.defaultPreset(train.info()))
          .steps(60).batch(64)
          .build();
      try (Method method = Methods.create(config.method(), 1)) {
        new Trainer(config, method, train)          // in memory: no run directory unless asked for
            .listen(LoggingListener.to(System.out::println, Duration.ofSeconds(10)))
            .fit();

        FeatureExtractor extract = FeatureExtractor.forPreset(Presets.byName(config.preset()), 256);
        double accuracy = new LinearProbe(ProbeOptions.defaults())
            .fitAndEvaluate(extract.features(train, method), extract.features(test, method))
            .testAccuracy();
        System.out.printf("simclr, 60 steps: linear probe test accuracy %.4f%n", accuracy);

        INDArray mine = Nd4j.rand(DataType.FLOAT, 8, 1, 28, 28);   // images of your own, in [0, 1]
        int[] labels = {0, 1, 2, 3, 4, 5, 6, 7};
        FeatureSet features = extract.features(InMemoryDataset.fromArray("mine", mine, labels, 10), method);
        System.out.printf("features of my %d images: %d each%n", features.size(), features.dim());
      }
    }

    INDArray a = Nd4j.randn(DataType.FLOAT, 256, 128);             // two views' embeddings, (B, D)
    INDArray b = a.add(Nd4j.randn(DataType.FLOAT, 256, 128).muli(0.5));
    try (LossResult r = new InfoNceLoss(InfoNceOptions.defaults()).compute(a, b)) {
      System.out.printf("InfoNCE %.4f, accuracy %.3f, |dL/da| %.5f%n",
          r.loss(), r.diagnostics().accuracy(), r.gradient("a").norm2Number().doubleValue());
    }
    // readme:end
  }
}
