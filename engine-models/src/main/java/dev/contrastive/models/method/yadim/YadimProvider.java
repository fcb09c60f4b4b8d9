package dev.contrastive.models.method.yadim;

import dev.contrastive.augment.data.DatasetInfo;
import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.models.method.DataShapes;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.MethodProvider;
import dev.contrastive.models.method.amdim.AmdimProvider;
import org.nd4j.linalg.api.buffer.DataType;

/** YADIM's registry entry. */
public final class YadimProvider implements MethodProvider<YadimMethodConfig> {

    @Override
    public String name() {
        return YadimMethodConfig.NAME;
    }

    @Override
    public String summary() {
        return "YADIM: AMDIM's encoder and NCE on the last feature maps only, AMDIM+CPC augmentations"
                + " (Falcon and Cho 2020)";
    }

    @Override
    public Class<YadimMethodConfig> configType() {
        return YadimMethodConfig.class;
    }

    @Override
    public String defaultPreset(DatasetInfo data) {
        return DataShapes.presetFor(name(), data, "fashion-mnist", "yadim-cifar", "yadim-stl");
    }

    /** AMDIM's encoder of the same size ({@link AmdimProvider#encoder}). */
    @Override
    public YadimMethodConfig defaultConfig(ItemShape image, String size) {
        return YadimMethodConfig.of(AmdimProvider.encoder(image, size));
    }

    @Override
    public Method create(YadimMethodConfig config, DataType type, long seed) {
        return new YadimMethod(config, type, seed);
    }
}
