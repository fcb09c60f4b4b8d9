package dev.contrastive.models.method;

import dev.contrastive.augment.transform.ItemShape;

/**
 * The hyper-parameters of one method: its encoder, heads and loss options. A record per method,
 * validated where it is made and stored as JSON in every checkpoint (through the registry, which
 * adds the method's name), so that a checkpoint rebuilds exactly the architecture it was trained
 * with.
 */
public interface MethodConfig {

    /** The registry name of the method this configures: "amdim", "cpc", "yadim", "simclr". */
    String method();

    /**
     * The whole image (C, S, S) the encoder takes at evaluation, and each view in training unless cut
     * into patches.
     */
    ItemShape imageShape();

    /**
     * The training views this method accepts, given what the augmentation preset makes, or an {@link
     * IllegalArgumentException} naming both shapes. The default takes whole images of {@link
     * #imageShape()}; CPC also takes its own patch grid.
     */
    default void requireViews(ItemShape views) {
        if (!views.equals(imageShape())) {
            throw new IllegalArgumentException(
                    method() + " takes views of " + imageShape() + ", the preset makes " + views);
        }
    }
}
