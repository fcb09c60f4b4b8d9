package dev.contrastive.augment.transform;

/**
 * A named, ready-made pair pipeline.
 *
 * @param name the name {@link Presets#byName} knows it by
 * @param summary one line for help text
 * @param pairs the pipeline
 * @param normalize the normalisation its views end with, so a viewer can undo it
 */
public record Preset(String name, String summary, PairTransform pairs, Normalize normalize) {

  public Preset {
    if (name == null || name.isBlank() || pairs == null || normalize == null) {
      throw new IllegalArgumentException("preset.name, preset.pairs and preset.normalize are"
          + " required");
    }
  }
}
