package dev.contrastive.models.train;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.DatasetInfo;
import dev.contrastive.augment.data.FashionMnist;
import dev.contrastive.augment.data.Image;
import dev.contrastive.augment.transform.Presets;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.train.optim.AdamOptions;
import dev.contrastive.models.train.optim.LearningRateSchedule;
import java.io.IOException;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The tiny training run the trainer tests share: AMDIM with ndf 8, n_rkhs 32, depth 1, on the first
 * 256 embedded Fashion-MNIST training images, batch 16 (16 steps per epoch, a few tens of
 * milliseconds per step on 2 cores). {@link #main} runs it in a child process, for the kill test.
 */
public final class TinyRun {

  public static final AmdimConfig TINY = new AmdimConfig(32, 1, 8, 32, 1, false);
  public static final long MODEL_SEED = 5;

  private TinyRun() {}

  public static TrainerConfig config(long steps, long checkpointEvery, Path runDir) {
    return new TrainerConfig(steps, 0, 16, 11, 2, checkpointEvery, runDir.toString(), TINY,
        AmdimOptions.defaults(), AdamOptions.amdim(), new LearningRateSchedule.Constant(2e-3));
  }

  static Dataset trainImages() throws IOException {
    return new FirstImages(FashionMnist.embedded(FashionMnist.Split.TRAIN), 256);
  }

  static Dataset testImages(int n) throws IOException {
    return new FirstImages(FashionMnist.embedded(FashionMnist.Split.TEST), n);
  }

  static Trainer trainer(TrainerConfig cfg, AmdimEncoder model, Dataset data) {
    return new Trainer(cfg, model, data, Presets.fashionMnist().pairs());
  }

  /** Trains {@code config(steps, checkpointEvery, runDir)}: args are runDir, steps, checkpointEvery. */
  public static void main(String[] args) throws IOException {
    TrainerConfig cfg = config(Long.parseLong(args[1]), Long.parseLong(args[2]), Path.of(args[0]));
    try (Dataset data = trainImages(); AmdimEncoder model = AmdimEncoder.create(TINY, DataType.FLOAT, MODEL_SEED)) {
      trainer(cfg, model, data).fit();
    }
  }

  /** The first {@code n} images of a dataset. */
  public record FirstImages(Dataset base, int n) implements Dataset {
    @Override
    public DatasetInfo info() {
      DatasetInfo i = base.info();
      return new DatasetInfo(i.name() + " (first " + n + ")", n, i.channels(), i.height(), i.width(), i.classes());
    }

    @Override
    public Image get(int index) {
      return base.get(index);
    }

    @Override
    public void close() throws IOException {
      base.close();
    }
  }
}
