package dev.contrastive.models.eval;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.FashionMnist;
import dev.contrastive.augment.data.Hdf5WriteOptions;
import dev.contrastive.augment.data.Hdf5Writer;
import dev.contrastive.augment.transform.Presets;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.train.Trainer;
import dev.contrastive.models.train.TrainerConfig;
import java.io.IOException;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Test fixtures for evaluation: a real checkpoint of a tiny AMDIM (ndf 8, n_rkhs 32, depth 1)
 * trained for a few steps, and small class-balanced HDF5 subsets of the embedded Fashion-MNIST
 * that command lines can name as data.
 */
public final class TinyRun {

  public static final AmdimConfig TINY = dev.contrastive.models.train.TinyRun.TINY;

  private TinyRun() {}

  /**
   * Trains {@code steps} steps at batch 16 on 256 images of every class, checkpointing at the end
   * into {@code runDir} (a second or so on 2 cores).
   */
  public static Path train(Path runDir, int steps) throws IOException {
    TrainerConfig config = dev.contrastive.models.train.TinyRun.config(steps, steps, runDir);
    try (Dataset base = FashionMnist.embedded(FashionMnist.Split.TRAIN);
        AmdimEncoder model = AmdimEncoder.create(TINY, DataType.FLOAT, dev.contrastive.models.train.TinyRun.MODEL_SEED)) {
      new Trainer(config, model, strided(base, 256), Presets.fashionMnist().pairs()).fit();
    }
    return runDir;
  }

  /** {@code size} images of the embedded {@code split}, every class equally, as an HDF5 file. */
  public static Path subsetFile(Path file, FashionMnist.Split split, int size) throws IOException {
    try (Dataset base = FashionMnist.embedded(split)) {
      Hdf5Writer.write(file, strided(base, size), Hdf5WriteOptions.defaults());
    }
    return file;
  }

  /** Every (N / size)-th image: the embedded set is stored class by class. */
  public static Dataset strided(Dataset base, int size) {
    return new Subset(base, base.size() / size, size);
  }
}
