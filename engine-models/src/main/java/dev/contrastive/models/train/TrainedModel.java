package dev.contrastive.models.train;

import dev.contrastive.augment.transform.Preset;
import dev.contrastive.augment.transform.Presets;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.registry.Methods;
import dev.contrastive.models.train.checkpoint.Checkpoint;
import dev.contrastive.models.train.checkpoint.CheckpointFormatException;
import dev.contrastive.models.train.checkpoint.CheckpointIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A method restored from a {@link Trainer} checkpoint, for evaluation and export: the weights and
 * batch-norm running statistics of the checkpoint's step, in the architecture its {@link
 * TrainerConfig} names, with the augmentation preset it trained with (whose evaluation transform is
 * the probes' and the export's preprocessing).
 *
 * @param checkpoint the file it was read from
 * @param step the optimiser step the weights are from
 * @param config the run's configuration
 * @param method the restored float32 method, owned by this record
 */
public record TrainedModel(Path checkpoint, long step, TrainerConfig config, Method method) implements AutoCloseable {

    /**
     * Reads {@code path}: a checkpoint file, or a run directory whose newest valid checkpoint is
     * used.
     *
     * @throws CheckpointFormatException if the file is damaged or not a checkpoint
     * @throws IOException if it cannot be read, or a run directory holds no valid checkpoint
     * @throws IllegalArgumentException if the checkpoint's config or tensors do not fit its method
     */
    public static TrainedModel load(Path path) throws IOException {
        Path file = path;
        Checkpoint c;
        if (Files.isDirectory(path)) {
            CheckpointIO.Found found = CheckpointIO.latest(path)
                    .newest()
                    .orElseThrow(() -> new IOException("no valid checkpoint in run directory "
                            + path
                            + " (expected files named like "
                            + CheckpointIO.fileName(1)
                            + ")"));
            file = found.path();
            c = found.checkpoint();
        } else {
            c = CheckpointIO.read(path);
        }
        TrainerConfig config;
        try {
            config = TrainerConfig.fromJson(c.config());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("checkpoint " + file + ": " + e.getMessage(), e);
        }
        Method method = Methods.create(config.method(), 0);
        try {
            assign(method.parameters().flatValues(), c, "params", file);
            assign(method.parameters().flatBuffers(), c, "buffers", file);
        } catch (RuntimeException e) {
            method.close();
            throw e;
        }
        return new TrainedModel(file, c.step(), config, method);
    }

    /**
     * {@link #load}, refusing a checkpoint of another method than {@code expected}.
     *
     * @throws IllegalArgumentException naming both methods
     */
    public static TrainedModel load(Path path, String expected) throws IOException {
        TrainedModel m = load(path);
        if (!m.config.method().method().equals(expected)) {
            m.close();
            throw new IllegalArgumentException("checkpoint "
                    + m.checkpoint
                    + " holds method "
                    + m.config.method().method()
                    + ", not "
                    + expected);
        }
        return m;
    }

    /** The augmentation preset the method trained with. */
    public Preset preset() {
        return Presets.byName(config.preset());
    }

    /** Copies checkpoint tensor {@code name} into {@code target}, whose length it must have. */
    static void assign(INDArray target, Checkpoint c, String name, Path from) {
        float[] data = tensor(c, name, from);
        if (data.length != target.length()) {
            throw new IllegalArgumentException("checkpoint "
                    + from
                    + " has "
                    + data.length
                    + " "
                    + name
                    + " values but the model has "
                    + target.length());
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
        method.close();
    }
}
