package dev.contrastive.augment.transform;

/**
 * Test helpers: the builder-made steps the transform tests construct, every setting given in the
 * builder's order, so that a test reads as the parameter list a preset or paper states.
 */
final class Steps {

    private Steps() {}

    static ColorJitter jitter(double brightness, double contrast, double saturation, double hue, double p) {
        return ColorJitter.builder()
                .brightness(brightness)
                .contrast(contrast)
                .saturation(saturation)
                .hue(hue)
                .p(p)
                .build();
    }

    /** A crop to {@code size} x {@code size}. */
    static RandomResizedCrop resizedCrop(
            int size, double scaleMin, double scaleMax, double ratioMin, double ratioMax, Interpolation filter) {
        return resizedCrop(size, size, scaleMin, scaleMax, ratioMin, ratioMax, filter);
    }

    static RandomResizedCrop resizedCrop(
            int height,
            int width,
            double scaleMin,
            double scaleMax,
            double ratioMin,
            double ratioMax,
            Interpolation filter) {
        return RandomResizedCrop.builder()
                .height(height)
                .width(width)
                .scaleMin(scaleMin)
                .scaleMax(scaleMax)
                .ratioMin(ratioMin)
                .ratioMax(ratioMax)
                .interpolation(filter)
                .build();
    }
}
