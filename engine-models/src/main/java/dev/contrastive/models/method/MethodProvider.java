package dev.contrastive.models.method;

import dev.contrastive.augment.data.DatasetInfo;
import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.augment.transform.Preset;
import dev.contrastive.augment.transform.Presets;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A method's entry in the registry: its name, how to size a default config for the data, which
 * augmentation preset it trains with by default, and how to build it. One implementation per method
 * package.
 *
 * @param <C> the method's config record
 */
public interface MethodProvider<C extends MethodConfig> {

    /** The name a user types: {@code contrastive train --method NAME}. */
    String name();

    /** One line for help text and the README's table. */
    String summary();

    /** The config record type, for reading configs back from JSON. */
    Class<C> configType();

    /** The default augmentation preset for images of {@code data}'s shape. */
    String defaultPreset(DatasetInfo data);

    /**
     * The default config for evaluation images of {@code image} (what the preset's evaluation
     * transform makes), sized to train in minutes on a few CPU cores ("small"), or the published
     * configuration ("published") where one exists for that shape.
     *
     * @throws IllegalArgumentException naming the size or the shape when there is no such config
     */
    C defaultConfig(ItemShape image, String size);

    /**
     * The default config of {@code size} for training on {@code data} with its {@link
     * #defaultPreset}: {@link #defaultConfig(ItemShape, String)} for the images that preset's
     * evaluation transform makes.
     *
     * @throws IllegalArgumentException naming the size, the preset or the shape when they do not fit
     */
    default C defaultConfig(DatasetInfo data, String size) {
        Preset preset = Presets.byName(defaultPreset(data));
        ItemShape image =
                preset.evaluation().outputShape(ItemShape.image(data.channels(), data.height(), data.width()));
        return defaultConfig(image, size);
    }

    /**
     * A new instance with weights drawn from {@code seed}, its parameters and arithmetic in {@code
     * type}: FLOAT to train (the native kernels are float32), DOUBLE for gradient checks and
     * equivalence tests.
     */
    Method create(C config, DataType type, long seed);
}
