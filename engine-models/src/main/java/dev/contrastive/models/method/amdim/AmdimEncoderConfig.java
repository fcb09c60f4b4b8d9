package dev.contrastive.models.method.amdim;

import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.encoder.ProbeTaps;
import dev.contrastive.models.method.MethodConfig;

/**
 * The config of a method on the AMDIM encoder whose probes read its taps (AMDIM, YADIM): what
 * {@link AmdimEncoderMethod} builds from.
 */
public interface AmdimEncoderConfig extends MethodConfig {

    /** The encoder's hyper-parameters. */
    AmdimConfig encoder();

    /** The taps the probes read. */
    ProbeTaps probe();

    /** Whole images of the encoder's input ({@link AmdimEncoder#imageShape}). */
    @Override
    default ItemShape imageShape() {
        return AmdimEncoder.imageShape(encoder());
    }
}
