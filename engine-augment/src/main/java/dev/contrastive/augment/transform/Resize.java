package dev.contrastive.augment.transform;

/**
 * Resizes each row so that its shorter side becomes {@code size} pixels, keeping the aspect ratio:
 * torchvision's {@code Resize(size, interpolation)} with an int size, the first step of AMDIM's
 * test transforms ({@code Resize(70, interpolation=3)} on STL-10, 146 on ImageNet).
 *
 * <p>The longer side is {@code floor(size * long / short)}, as torchvision truncates it, and a row
 * whose shorter side is already {@code size} is left as it is, as torchvision returns such an image
 * unchanged. Resampling is PIL's ({@link Interpolation}), antialiased when shrinking, on [0, 1]
 * pixels: place it before {@link Normalize}. Not random.
 *
 * @param size the shorter side after resizing, >= 1
 * @param interpolation resampling filter
 */
public record Resize(int size, Interpolation interpolation) implements Transform {

    public Resize {
        Checks.atLeast("resize.size", size, 1);
        if (interpolation == null) {
            throw new IllegalArgumentException("resize.interpolation must be BILINEAR or BICUBIC, got null");
        }
    }

    @Override
    public ImageBatch apply(ImageBatch batch) {
        ItemShape out = outputShape(batch.shape());
        // The box is the whole image.
        return batch.resampled(
                out,
                (r, dst, to) -> Resampler.resize(
                        batch.data(),
                        batch.offset(r),
                        batch.channels(),
                        batch.height(),
                        batch.width(),
                        0,
                        0,
                        batch.width(),
                        batch.height(),
                        dst,
                        to,
                        out.height(),
                        out.width(),
                        interpolation));
    }

    @Override
    public ItemShape outputShape(ItemShape input) {
        int h = input.height();
        int w = input.width();
        // Integer division is the floor of the exact quotient, which is what torchvision's
        // int(size * long / short) gives.
        int height = h <= w ? size : (int) ((long) size * h / w);
        int width = h <= w ? (int) ((long) size * w / h) : size;
        return new ItemShape(input.patches(), input.channels(), height, width);
    }
}
