package dev.contrastive.models.method.cpc;

import dev.contrastive.augment.data.DatasetInfo;
import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.models.encoder.CpcConfig;
import dev.contrastive.models.method.DataShapes;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.MethodProvider;
import org.nd4j.linalg.api.buffer.DataType;

/** CPC v2's registry entry. */
public final class CpcProvider implements MethodProvider<CpcMethodConfig> {

    @Override
    public String name() {
        return CpcMethodConfig.NAME;
    }

    @Override
    public String summary() {
        return "CPC v2: a masked context network predicts the patch vectors of rows below (Henaff et al. 2019)";
    }

    @Override
    public Class<CpcMethodConfig> configType() {
        return CpcMethodConfig.class;
    }

    @Override
    public String defaultPreset(DatasetInfo data) {
        return DataShapes.presetFor(name(), data, "fashion-mnist-patches", "cpc-cifar", "cpc-stl");
    }

    /**
     * A 7 x 7 grid of half-overlapping patches (8 px at 32, 16 px at 64), the paper's context network
     * and heads; the patch encoder is "small" (width 16, one block per stage, 64 context channels) or
     * the CIFAR-scale "published" one of {@link CpcConfig#cifar()} (the paper's ImageNet ResNet-161
     * is far beyond these images).
     */
    @Override
    public CpcMethodConfig defaultConfig(ItemShape image, String size) {
        int side = DataShapes.squareSide(image, name());
        if (side % 8 != 0 || side < 16) {
            throw new IllegalArgumentException("cpc cuts a 7x7 grid of side/4 patches with stride side/8, so the"
                    + " image side must be a multiple of 8 and >= 16, got "
                    + image);
        }
        int patch = side / 4;
        CpcConfig.Builder grid = CpcConfig.builder()
                .imageSize(side)
                .inChannels(image.channels())
                .patchSize(patch)
                .patchStride(patch / 2);
        CpcConfig model = switch (size) {
            case "small" -> grid.width(16).blocksPerStage(1).contextChannels(64).build();
            case "published" -> grid.build();
            default ->
                throw new IllegalArgumentException("encoder size must be small or published, got '" + size + "'");
        };
        return CpcMethodConfig.of(model);
    }

    @Override
    public Method create(CpcMethodConfig config, DataType type, long seed) {
        return new CpcMethod(config, type, seed);
    }
}
