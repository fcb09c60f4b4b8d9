package dev.contrastive.models.method.simclr;

import dev.contrastive.augment.data.DatasetInfo;
import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.models.method.DataShapes;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.MethodProvider;
import dev.contrastive.models.method.amdim.AmdimProvider;
import org.nd4j.linalg.api.buffer.DataType;

/** SimCLR's registry entry. */
public final class SimClrProvider implements MethodProvider<SimClrConfig> {

    @Override
    public String name() {
        return SimClrConfig.NAME;
    }

    @Override
    public String summary() {
        return "SimCLR: NT-Xent between projections of two views, probes before the head (Chen et al. 2020)";
    }

    @Override
    public Class<SimClrConfig> configType() {
        return SimClrConfig.class;
    }

    @Override
    public String defaultPreset(DatasetInfo data) {
        return DataShapes.presetFor(name(), data, "fashion-mnist-crop", "simclr-cifar", "simclr-stl");
    }

    /**
     * The AMDIM encoder of that size as the trunk ({@link AmdimProvider#encoder}), SimCLR's head and
     * loss.
     */
    @Override
    public SimClrConfig defaultConfig(ItemShape image, String size) {
        return SimClrConfig.of(AmdimProvider.encoder(image, size));
    }

    @Override
    public Method create(SimClrConfig config, DataType type, long seed) {
        return new SimClrMethod(config, type, seed);
    }
}
