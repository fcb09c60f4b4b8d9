package dev.contrastive.models.encoder;

import java.util.Objects;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect.Visibility;
import org.nd4j.shade.jackson.annotation.JsonPropertyOrder;
import org.nd4j.shade.jackson.databind.annotation.JsonDeserialize;
import org.nd4j.shade.jackson.databind.annotation.JsonPOJOBuilder;

/**
 * Hyper-parameters of the CPC v2 model (Henaff et al. 2019): patch grid, patch encoder, context
 * network and prediction heads.
 *
 * <p>Made with {@link #builder()} (the CIFAR-scale configuration of {@link #cifar()}, each setting
 * named and validated where it is set) or {@link #small(int)}. Immutable. Stored in checkpoints as
 * a JSON object of the nine settings, read back through the builder.
 */
@JsonDeserialize(builder = CpcConfig.Builder.class)
@JsonAutoDetect(
        fieldVisibility = Visibility.ANY,
        getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE)
@JsonPropertyOrder({
    "imageSize",
    "inChannels",
    "patchSize",
    "patchStride",
    "width",
    "blocksPerStage",
    "contextChannels",
    "targetDim",
    "predictionSteps"
})
public final class CpcConfig {

    /** The paper's context network: 5 residual blocks. */
    public static final int CONTEXT_BLOCKS = 5;

    private final int imageSize;
    private final int inChannels;
    private final int patchSize;
    private final int patchStride;
    private final int width;
    private final int blocksPerStage;
    private final int contextChannels;
    private final int targetDim;
    private final int predictionSteps;

    private CpcConfig(Builder b) {
        this.imageSize = b.imageSize;
        this.inChannels = b.inChannels;
        this.patchSize = b.patchSize;
        this.patchStride = b.patchStride;
        this.width = b.width;
        this.blocksPerStage = b.blocksPerStage;
        this.contextChannels = b.contextChannels;
        this.targetDim = b.targetDim;
        this.predictionSteps = b.predictionSteps;
    }

    /** A builder holding the CIFAR-scale configuration of {@link #cifar()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's settings, to change some of them. */
    public Builder toBuilder() {
        return new Builder()
                .imageSize(imageSize)
                .inChannels(inChannels)
                .patchSize(patchSize)
                .patchStride(patchStride)
                .width(width)
                .blocksPerStage(blocksPerStage)
                .contextChannels(contextChannels)
                .targetDim(targetDim)
                .predictionSteps(predictionSteps);
    }

    /**
     * CIFAR-scale CPC v2: 32x32 RGB, 8-pixel patches with stride 4 (7x7 grid), the paper's context
     * network (256 channels, 5 blocks), target_dim 64 and 3 prediction steps. The patch encoder is a
     * LayerNorm ResNet of width 64 with 3 blocks per stage (256-d patch vectors), far smaller than
     * the paper's ImageNet ResNet-161.
     */
    public static CpcConfig cifar() {
        return builder().build();
    }

    /**
     * Small configuration for 2 CPU cores: width 16 (64-d patch vectors), 1 block per stage, 64
     * context channels.
     */
    public static CpcConfig small(int inChannels) {
        return builder()
                .inChannels(inChannels)
                .width(16)
                .blocksPerStage(1)
                .contextChannels(64)
                .build();
    }

    /** Input height and width; the patches tile it. */
    public int imageSize() {
        return imageSize;
    }

    /** Image channels, 1 or 3. */
    public int inChannels() {
        return inChannels;
    }

    /** Patch side p. */
    public int patchSize() {
        return patchSize;
    }

    /** Patch stride (p/2 in the paper). */
    public int patchStride() {
        return patchStride;
    }

    /**
     * Channels of the patch encoder's first stage (stages: width, 2*width, 4*width; the patch vector
     * has 4*width dimensions).
     */
    public int width() {
        return width;
    }

    /** Residual blocks per stage of the patch encoder. */
    public int blocksPerStage() {
        return blocksPerStage;
    }

    /** Hidden channels of the PixelCNN context blocks (the paper's 256). */
    public int contextChannels() {
        return contextChannels;
    }

    /** Dimension of targets and predictions (the paper's target_dim 64). */
    public int targetDim() {
        return targetDim;
    }

    /** One 1x1 prediction head per predicted row offset (the paper's steps_to_predict 3). */
    public int predictionSteps() {
        return predictionSteps;
    }

    /** Side of the patch grid (7 for 32x32 images, 8-pixel patches, stride 4). */
    public int grid() {
        return grid(imageSize, patchSize, patchStride);
    }

    private static int grid(int imageSize, int patchSize, int patchStride) {
        return (imageSize - patchSize) / patchStride + 1;
    }

    /** Dimension of a patch vector. */
    public int latentDim() {
        return 4 * width;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpcConfig c
                && imageSize == c.imageSize
                && inChannels == c.inChannels
                && patchSize == c.patchSize
                && patchStride == c.patchStride
                && width == c.width
                && blocksPerStage == c.blocksPerStage
                && contextChannels == c.contextChannels
                && targetDim == c.targetDim
                && predictionSteps == c.predictionSteps;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                imageSize,
                inChannels,
                patchSize,
                patchStride,
                width,
                blocksPerStage,
                contextChannels,
                targetDim,
                predictionSteps);
    }

    @Override
    public String toString() {
        return "CpcConfig[imageSize="
                + imageSize
                + ", inChannels="
                + inChannels
                + ", patchSize="
                + patchSize
                + ", patchStride="
                + patchStride
                + ", width="
                + width
                + ", blocksPerStage="
                + blocksPerStage
                + ", contextChannels="
                + contextChannels
                + ", targetDim="
                + targetDim
                + ", predictionSteps="
                + predictionSteps
                + "]";
    }

    /**
     * Collects the settings, each checked as it is set; {@link #build()} checks the ones that depend
     * on others: the stride against the patch, the image against the patch grid, the prediction steps
     * against the grid.
     */
    @JsonPOJOBuilder(withPrefix = "")
    public static final class Builder {
        private int imageSize = 32;
        private int inChannels = 3;
        private int patchSize = 8;
        private int patchStride = 4;
        private int width = 64;
        private int blocksPerStage = 3;
        private int contextChannels = 256;
        private int targetDim = 64;
        private int predictionSteps = 3;

        private Builder() {}

        /**
         * Input height and width, in [patchSize, 1024] with (imageSize - patchSize) a multiple of the
         * stride (checked by {@link #build()}).
         */
        public Builder imageSize(int size) {
            if (size < 4 || size > 1024) {
                throw new IllegalArgumentException("cpc.imageSize must be in [4, 1024], got " + size);
            }
            this.imageSize = size;
            return this;
        }

        /** Image channels, 1 or 3. */
        public Builder inChannels(int channels) {
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException("cpc.inChannels must be 1 or 3, got " + channels);
            }
            this.inChannels = channels;
            return this;
        }

        /** Patch side, in [4, 256]. */
        public Builder patchSize(int size) {
            if (size < 4 || size > 256) {
                throw new IllegalArgumentException("cpc.patchSize must be in [4, 256], got " + size);
            }
            this.patchSize = size;
            return this;
        }

        /** Patch stride, in [1, patchSize] (the upper bound checked by {@link #build()}). */
        public Builder patchStride(int stride) {
            if (stride < 1 || stride > 256) {
                throw new IllegalArgumentException("cpc.patchStride must be in [1, 256], got " + stride);
            }
            this.patchStride = stride;
            return this;
        }

        /** Channels of the patch encoder's first stage, in [1, 1024]. */
        public Builder width(int channels) {
            if (channels < 1 || channels > 1024) {
                throw new IllegalArgumentException("cpc.width must be in [1, 1024], got " + channels);
            }
            this.width = channels;
            return this;
        }

        /** Residual blocks per stage of the patch encoder, in [1, 32]. */
        public Builder blocksPerStage(int blocks) {
            if (blocks < 1 || blocks > 32) {
                throw new IllegalArgumentException("cpc.blocksPerStage must be in [1, 32], got " + blocks);
            }
            this.blocksPerStage = blocks;
            return this;
        }

        /** Hidden channels of the context blocks, in [1, 4096]. */
        public Builder contextChannels(int channels) {
            if (channels < 1 || channels > 4096) {
                throw new IllegalArgumentException("cpc.contextChannels must be in [1, 4096], got " + channels);
            }
            this.contextChannels = channels;
            return this;
        }

        /** Dimension of targets and predictions, in [1, 4096]. */
        public Builder targetDim(int dim) {
            if (dim < 1 || dim > 4096) {
                throw new IllegalArgumentException("cpc.targetDim must be in [1, 4096], got " + dim);
            }
            this.targetDim = dim;
            return this;
        }

        /**
         * Predicted row offsets, in [1, 1020] (the largest grid's side less one) and at most this
         * grid's side less one, which {@link #build()} checks once the grid is known.
         */
        public Builder predictionSteps(int steps) {
            if (steps < 1 || steps > 1020) {
                throw new IllegalArgumentException("cpc.predictionSteps must be in [1, 1020], got " + steps);
            }
            this.predictionSteps = steps;
            return this;
        }

        public CpcConfig build() {
            if (patchStride > patchSize) {
                throw new IllegalArgumentException(
                        "cpc.patchStride must be in [1, " + patchSize + "], got " + patchStride);
            }
            if (imageSize < patchSize || (imageSize - patchSize) % patchStride != 0) {
                throw new IllegalArgumentException("cpc.imageSize must be in ["
                        + patchSize
                        + ", 1024] with (imageSize - patchSize) a multiple of "
                        + patchStride
                        + ", got "
                        + imageSize);
            }
            int grid = grid(imageSize, patchSize, patchStride);
            if (predictionSteps > grid - 1) {
                throw new IllegalArgumentException("cpc.predictionSteps must be in [1, "
                        + (grid - 1)
                        + "] for a "
                        + grid
                        + "x"
                        + grid
                        + " grid, got "
                        + predictionSteps);
            }
            return new CpcConfig(this);
        }
    }
}
