package dev.contrastive.models.train;

import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.train.checkpoint.Checkpoint;
import dev.contrastive.models.train.checkpoint.CheckpointFormatException;
import dev.contrastive.models.train.checkpoint.CheckpointIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An encoder restored from a {@link Trainer} checkpoint, for evaluation and export: the weights and
 * batch-norm running statistics of the checkpoint's step, built with the encoder configuration the
 * checkpoint's {@link TrainerConfig} names.
 *
 * @param checkpoint the file it was read from
 * @param step the optimiser step the weights are from
 * @param config the run's configuration
 * @param encoder the restored float32 encoder, owned by this record
 */
public record TrainedEncoder(Path checkpoint, long step, TrainerConfig config, AmdimEncoder encoder)
    implements AutoCloseable {

  /**
   * Reads {@code path}: a checkpoint file, or a run directory whose newest valid checkpoint is used.
   *
   * @throws CheckpointFormatException if the file is damaged or not a checkpoint
   * @throws IOException if it cannot be read, or a run directory holds no valid checkpoint
   * @throws IllegalArgumentException if the checkpoint lacks the encoder's tensors
   */
  public static TrainedEncoder load(Path path) throws IOException {
    Path file = path;
    Checkpoint c;
    if (Files.isDirectory(path)) {
      CheckpointIO.Found found = CheckpointIO.latest(path).newest().orElseThrow(() -> new IOException(
          "no valid checkpoint in run directory " + path + " (expected files named like "
              + CheckpointIO.fileName(1) + ")"));
      file = found.path();
      c = found.checkpoint();
    } else {
      c = CheckpointIO.read(path);
    }
    TrainerConfig config = TrainerConfig.fromJson(c.config());
    AmdimEncoder encoder = AmdimEncoder.create(config.encoder(), DataType.FLOAT, 0);
    try {
      assign(encoder.parameters().flatValues(), c, "params", file);
      assign(encoder.parameters().flatBuffers(), c, "buffers", file);
    } catch (RuntimeException e) {
      encoder.close();
      throw e;
    }
    return new TrainedEncoder(file, c.step(), config, encoder);
  }

  /** Copies checkpoint tensor {@code name} into {@code target}, whose length it must have. */
  static void assign(INDArray target, Checkpoint c, String name, Path from) {
    float[] data = tensor(c, name, from);
    if (data.length != target.length()) {
      throw new IllegalArgumentException("checkpoint " + from + " has " + data.length + " " + name
          + " values but the model has " + target.length());
    }
    target.assign(Nd4j.createFromArray(data));
  }

  static float[] tensor(Checkpoint c, String name, Path from) {
    Checkpoint.Tensor t = c.tensors().get(name);
    if (t == null) {
      throw new IllegalArgumentException("checkpoint " + from + " has no tensor '" + name + "'");
    }
    return t.data();
  }

  @Override
  public void close() {
    encoder.close();
  }
}
