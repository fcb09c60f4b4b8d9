package dev.contrastive.bench.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.contrastive.bench.torch.ConvShape;
import dev.contrastive.bench.torch.ConvTrace;
import dev.contrastive.bench.torch.TorchAmdimEncoder;
import dev.contrastive.bench.torch.TorchCpcEncoder;
import dev.contrastive.bench.torch.TorchParameters;
import dev.contrastive.bench.torch.TorchRuntime;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.encoder.CpcConfig;
import dev.contrastive.models.encoder.CpcEncoder;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * One benchmarked training shape, written {@code <model>/<batch>} in JMH parameters: model {@code
 * amdim-small} ({@link AmdimConfig#small}(1): Fashion-MNIST, 1 channel padded to 32x32), {@code
 * amdim-cifar} ({@link AmdimConfig#publishedCifar()}: 3x32x32) or {@code cpc-small} ({@link
 * CpcConfig#small}(1), 1x32x32, 49 patches per image).
 *
 * @param model the model name as written
 * @param batch images per view
 */
public record TrainShape(String model, int batch) {

    public TrainShape {
        if (!List.of("amdim-small", "amdim-cifar", "cpc-small").contains(model)) {
            throw new IllegalArgumentException(
                    "train shape model must be amdim-small, amdim-cifar or cpc-small, got '" + model + "'");
        }
        if (batch < 2 || batch > 4096) {
            throw new IllegalArgumentException("train shape batch must be in [2, 4096], got " + batch);
        }
    }

    /** Parses {@code model/batch}, e.g. {@code amdim-cifar/200}. */
    public static TrainShape parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("train shape must be <model>/<batch>, got '" + text + "'");
        }
        return new TrainShape(text.substring(0, slash), Integer.parseInt(text.substring(slash + 1)));
    }

    public boolean isAmdim() {
        return model.startsWith("amdim");
    }

    public AmdimConfig amdimConfig() {
        return switch (model) {
            case "amdim-small" -> AmdimConfig.small(1);
            case "amdim-cifar" -> AmdimConfig.publishedCifar();
            default -> throw new IllegalStateException(model + " is not an AMDIM shape");
        };
    }

    public CpcConfig cpcConfig() {
        if (isAmdim()) {
            throw new IllegalStateException(model + " is not a CPC shape");
        }
        return CpcConfig.small(1);
    }

    /** Image shape (B, C, H, W) of one view. */
    public long[] imageShape() {
        if (isAmdim()) {
            AmdimConfig c = amdimConfig();
            return new long[] {batch, c.inChannels(), c.encoderSize(), c.encoderSize()};
        }
        CpcConfig c = cpcConfig();
        return new long[] {batch, c.inChannels(), c.imageSize(), c.imageSize()};
    }

    /**
     * The convolutions of one encoder forward pass at this batch, in order, traced from the PyTorch
     * twin of the encoder on two images (layer shapes do not depend on the batch but for N).
     */
    public List<ConvShape> convShapes() {
        List<ConvShape> traced;
        try (NDManager m = TorchRuntime.engine().newBaseManager()) {
            long[] s = imageShape();
            Shape two = new Shape(2, s[1], s[2], s[3]);
            if (isAmdim()) {
                try (AmdimEncoder ours = AmdimEncoder.create(amdimConfig(), DataType.FLOAT, 1)) {
                    TorchAmdimEncoder enc =
                            new TorchAmdimEncoder(amdimConfig(), new TorchParameters(ours.parameters(), m));
                    traced = ConvTrace.record(() -> enc.forward(m.randomNormal(two), true));
                }
            } else {
                try (CpcEncoder ours = CpcEncoder.create(cpcConfig(), DataType.FLOAT, 1)) {
                    TorchCpcEncoder enc = new TorchCpcEncoder(cpcConfig(), new TorchParameters(ours.parameters(), m));
                    traced = ConvTrace.record(() -> enc.forward(m.randomNormal(two)));
                }
            }
        }
        List<ConvShape> scaled = new ArrayList<>();
        for (ConvShape c : traced) {
            scaled.add(new ConvShape(
                    c.n() / 2 * batch,
                    c.cIn(),
                    c.h(),
                    c.w(),
                    c.cOut(),
                    c.kH(),
                    c.kW(),
                    c.stride(),
                    c.padH(),
                    c.padW()));
        }
        return scaled;
    }
}
