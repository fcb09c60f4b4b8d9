package dev.contrastive.models.method.amdim;

import dev.contrastive.augment.data.DatasetInfo;
import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.method.DataShapes;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.MethodProvider;
import org.nd4j.linalg.api.buffer.DataType;

/** AMDIM's registry entry. */
public final class AmdimProvider implements MethodProvider<AmdimMethodConfig> {

    @Override
    public String name() {
        return AmdimMethodConfig.NAME;
    }

    @Override
    public String summary() {
        return "AMDIM: multi-scale NCE between r1, r5 and r7 of two views (Bachman et al. 2019)";
    }

    @Override
    public Class<AmdimMethodConfig> configType() {
        return AmdimMethodConfig.class;
    }

    @Override
    public String defaultPreset(DatasetInfo data) {
        return DataShapes.presetFor(name(), data, "fashion-mnist", "amdim-cifar", "amdim-stl");
    }

    @Override
    public AmdimMethodConfig defaultConfig(ItemShape image, String size) {
        return AmdimMethodConfig.of(encoder(image, size));
    }

    /**
     * The AMDIM encoder for whole images of {@code image}: "small" (ndf 32, n_rkhs 256, depth 1:
     * minutes on 2 cores) at 32, 64 and 128 pixels, or the published configuration of the reference
     * code (CIFAR-10 at 32: ndf 128, n_rkhs 1024, depth 3; STL-10 at 64: ndf 192, n_rkhs 1536, depth
     * 8; ImageNet at 128: ndf 320, n_rkhs 2560, depth 10).
     */
    public static AmdimConfig encoder(ItemShape image, String size) {
        int side = DataShapes.squareSide(image, AmdimMethodConfig.NAME);
        int channels = image.channels();
        return switch (size) {
            case "small" ->
                AmdimConfig.small(channels).toBuilder().encoderSize(side).build();
            case "published" ->
                switch (side) {
                    case 32 -> AmdimConfig.builder().inChannels(channels).build();
                    case 64 ->
                        AmdimConfig.builder()
                                .encoderSize(64)
                                .inChannels(channels)
                                .ndf(192)
                                .nRkhs(1536)
                                .nDepth(8)
                                .build();
                    default ->
                        AmdimConfig.builder()
                                .encoderSize(128)
                                .inChannels(channels)
                                .ndf(320)
                                .nRkhs(2560)
                                .nDepth(10)
                                .build();
                };
            default ->
                throw new IllegalArgumentException("encoder size must be small or published, got '" + size + "'");
        };
    }

    @Override
    public Method create(AmdimMethodConfig config, DataType type, long seed) {
        return new AmdimMethod(config, type, seed);
    }
}
