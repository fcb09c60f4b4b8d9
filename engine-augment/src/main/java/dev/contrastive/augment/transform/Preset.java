package dev.contrastive.augment.transform;

/**
 * A named, ready-made pair pipeline and the fixed transform that matches it at evaluation.
 *
 * @param name the name {@link Presets#byName} knows it by
 * @param summary one line for help text
 * @param pairs the pipeline
 * @param normalize the normalisation its views end with, so a viewer can undo it
 * @param evaluation the deterministic transform from a dataset image to the encoder's input for
 *     probes and feature export: training's geometry and normalisation without its randomness. For
 *     patch presets it makes the whole image the patches are cut from, since the model cuts its own
 *     patch grid at evaluation.
 */
public record Preset(String name, String summary, PairTransform pairs, Normalize normalize, Transform evaluation) {

    public Preset {
        if (name == null || name.isBlank() || pairs == null || normalize == null || evaluation == null) {
            throw new IllegalArgumentException(
                    "preset.name, preset.pairs, preset.normalize and" + " preset.evaluation are required");
        }
    }
}
