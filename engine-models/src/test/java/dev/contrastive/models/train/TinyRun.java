package dev.contrastive.models.train;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.DatasetInfo;
import dev.contrastive.augment.data.FashionMnist;
import dev.contrastive.augment.data.Hdf5WriteOptions;
import dev.contrastive.augment.data.Hdf5Writer;
import dev.contrastive.augment.data.Image;
import dev.contrastive.augment.data.InMemoryDataset;
import dev.contrastive.core.loss.InfoNceOptions;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.EncoderFixtures;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.MethodConfig;
import dev.contrastive.models.method.amdim.AmdimMethodConfig;
import dev.contrastive.models.method.cpc.CpcMethodConfig;
import dev.contrastive.models.method.simclr.SimClrConfig;
import dev.contrastive.models.method.yadim.YadimMethodConfig;
import dev.contrastive.models.registry.Methods;
import dev.contrastive.models.train.optim.LearningRateSchedule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The tiny training runs the tests share: each method at a width that takes a few tens of
 * milliseconds per step on 2 cores (AMDIM, YADIM and SimCLR's trunk: ndf 8, n_rkhs 32, depth 1;
 * CPC: width 4, 8 context channels), batch 16 on 256 embedded Fashion-MNIST images of every class,
 * each with its default Fashion-MNIST preset. {@link #main} runs one in a child process, for the
 * kill tests.
 */
public final class TinyRun {

    /** Every method of the registry. */
    public static final List<String> METHODS = List.of("amdim", "cpc", "yadim", "simclr");

    public static final AmdimConfig TINY_AMDIM = tinyAmdim(1);
    public static final long MODEL_SEED = 5;

    private TinyRun() {}

    /** The tiny config of {@code method} for 1 x 32 x 32 input. */
    public static MethodConfig method(String method) {
        return method(method, 1);
    }

    /** The tiny config of {@code method} for {@code channels} x 32 x 32 input. */
    public static MethodConfig method(String method, int channels) {
        AmdimConfig amdim = tinyAmdim(channels);
        return switch (method) {
            case "amdim" -> AmdimMethodConfig.of(amdim);
            case "cpc" ->
                CpcMethodConfig.of(EncoderFixtures.cpc32(channels, 4, 8, 8).build());
            case "yadim" -> YadimMethodConfig.of(amdim);
            case "simclr" ->
                new SimClrConfig(amdim, 32, 16, InfoNceOptions.defaults().withTemperature(0.5));
            default -> throw new IllegalArgumentException("no tiny " + method);
        };
    }

    private static AmdimConfig tinyAmdim(int channels) {
        return EncoderFixtures.amdim(32, channels, 8, 32, 1, false);
    }

    /** A fresh float32 instance of the tiny {@code method}. */
    public static Method create(String method, long seed) {
        return Methods.create(method(method), seed);
    }

    /** A fresh instance of the tiny {@code method} in {@code type}: DOUBLE for gradient checks. */
    public static Method create(String method, DataType type, long seed) {
        return Methods.create(method(method), type, seed);
    }

    /** {@code steps} steps of the tiny {@code method} at batch 16, constant lr 2e-3, seed 11. */
    public static TrainerConfig config(String method, long steps, long checkpointEvery) {
        return builder(method).steps(steps).checkpointEvery(checkpointEvery).build();
    }

    /** The tiny run's settings for 1 x 28 x 28 images, to change some. */
    public static TrainerConfig.Builder builder(String method) {
        return builder(
                method,
                DatasetInfo.builder()
                        .name("fashion-mnist")
                        .size(256)
                        .channels(1)
                        .height(28)
                        .width(28)
                        .classes(10)
                        .build());
    }

    /**
     * The tiny run's settings for images of {@code data}'s shape (Fashion-MNIST or CIFAR's), with the
     * method's preset for it.
     */
    public static TrainerConfig.Builder builder(String method, DatasetInfo data) {
        return TrainerConfig.builder(method(method, data.channels()))
                .preset(Methods.get(method).defaultPreset(data))
                .batch(16)
                .seed(11)
                .augmentThreads(2)
                .lr(2e-3)
                .schedule(LearningRateSchedule.constant());
    }

    /** 256 training images, every class equally. */
    public static Dataset trainImages() throws IOException {
        return strided(FashionMnist.embedded(FashionMnist.Split.TRAIN), 256);
    }

    /** {@code n} test images, every class equally. */
    public static Dataset testImages(int n) throws IOException {
        return strided(FashionMnist.embedded(FashionMnist.Split.TEST), n);
    }

    /**
     * Trains the tiny {@code method} for {@code steps} steps into {@code runDir}, checkpointing at
     * the end (a second or so on 2 cores): a real checkpoint for the evaluation and export tests.
     */
    public static Path train(Path runDir, String method, int steps) throws IOException {
        try (Dataset data = trainImages()) {
            return train(runDir, method, steps, data);
        }
    }

    /** {@link #train(Path, String, int)} on {@code data}, with the method's preset for its shape. */
    public static Path train(Path runDir, String method, int steps, Dataset data) throws IOException {
        TrainerConfig config =
                builder(method, data.info()).steps(steps).checkpointEvery(steps).build();
        try (Method model = Methods.create(config.method(), MODEL_SEED)) {
            new Trainer(config, model, data)
                    .inDirectory(runDir, Trainer.RunMode.NEW)
                    .fit();
        }
        return runDir;
    }

    /** {@code data} as an HDF5 file. */
    public static Path hdf5(Path file, Dataset data) throws IOException {
        Hdf5Writer.write(file, data, Hdf5WriteOptions.defaults());
        return file;
    }

    /** {@code size} images of the embedded {@code split}, every class equally, as an HDF5 file. */
    public static Path subsetFile(Path file, FashionMnist.Split split, int size) throws IOException {
        try (Dataset base = strided(FashionMnist.embedded(split), size)) {
            return hdf5(file, base);
        }
    }

    /**
     * {@code size} CIFAR-shaped (3 x 32 x 32) images made from the embedded {@code split}, every
     * class equally: each garment padded to 32 x 32 and tinted by its class (channel c scaled by (1 +
     * (label + c) % 3) / 3), so that a 3-channel pipeline sees colour that carries information.
     */
    public static Dataset rgbImages(FashionMnist.Split split, int size) throws IOException {
        try (Dataset gray = strided(FashionMnist.embedded(split), size)) {
            List<Image> images = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                Image g = gray.get(i);
                byte[] rgb = new byte[3 * 32 * 32];
                for (int c = 0; c < 3; c++) {
                    double tint = (1 + (g.label() + c) % 3) / 3.0;
                    for (int y = 0; y < 28; y++) {
                        for (int x = 0; x < 28; x++) {
                            rgb[(c * 32 + y + 2) * 32 + x + 2] = (byte) Math.round(g.pixel(0, y, x) * tint);
                        }
                    }
                }
                images.add(new Image(rgb, 3, 32, 32, g.label()));
            }
            return InMemoryDataset.of("rgb fashion-mnist " + split.name().toLowerCase(Locale.ROOT), images, 10);
        }
    }

    /** Every (N / size)-th image: the embedded set is stored class by class. */
    public static Dataset strided(Dataset base, int size) {
        int stride = base.size() / size;
        return new Dataset() {
            @Override
            public DatasetInfo info() {
                DatasetInfo i = base.info();
                return i.toBuilder()
                        .name(i.name() + " (every " + stride + "th, " + size + ")")
                        .size(size)
                        .build();
            }

            @Override
            public Image get(int index) {
                return base.get(index * stride);
            }

            @Override
            public void close() throws IOException {
                base.close();
            }
        };
    }

    /**
     * Trains {@code config(method, steps, checkpointEvery)} in a run directory: args are runDir,
     * method, steps, checkpointEvery.
     */
    public static void main(String[] args) throws IOException {
        String method = args[1];
        TrainerConfig cfg = config(method, Long.parseLong(args[2]), Long.parseLong(args[3]));
        try (Dataset data = trainImages();
                Method model = create(method, MODEL_SEED)) {
            new Trainer(cfg, model, data)
                    .inDirectory(Path.of(args[0]), Trainer.RunMode.RESUME_OR_NEW)
                    .fit();
        }
    }
}
