package dev.contrastive.models.encoder;

import java.util.Objects;
import java.util.Set;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect.Visibility;
import org.nd4j.shade.jackson.annotation.JsonPropertyOrder;
import org.nd4j.shade.jackson.databind.annotation.JsonDeserialize;
import org.nd4j.shade.jackson.databind.annotation.JsonPOJOBuilder;

/**
 * Hyper-parameters of the AMDIM encoder (amdim-public model.py {@code Encoder}).
 *
 * <p>Made with {@link #builder()} (the published CIFAR-10 configuration, each setting named and
 * validated where it is set), {@link #small(int)} or {@link #publishedCifar()}. Immutable. Stored
 * in checkpoints as a JSON object of the six settings, read back through the builder.
 */
@JsonDeserialize(builder = AmdimConfig.Builder.class)
@JsonAutoDetect(
        fieldVisibility = Visibility.ANY,
        getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE)
@JsonPropertyOrder({"encoderSize", "inChannels", "ndf", "nRkhs", "nDepth", "useBn"})
public final class AmdimConfig {

    private static final Set<Integer> SIZES = Set.of(32, 64, 128);

    private final int encoderSize;
    private final int inChannels;
    private final int ndf;
    private final int nRkhs;
    private final int nDepth;
    private final boolean useBn;

    private AmdimConfig(Builder b) {
        this.encoderSize = b.encoderSize;
        this.inChannels = b.inChannels;
        this.ndf = b.ndf;
        this.nRkhs = b.nRkhs;
        this.nDepth = b.nDepth;
        this.useBn = b.useBn;
    }

    /**
     * A builder holding the published CIFAR-10 configuration (amdim-public train.py defaults): 32x32
     * RGB, ndf 128, n_rkhs 1024, n_depth 3, use_bn off.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's settings, to change some of them. */
    public Builder toBuilder() {
        return new Builder()
                .encoderSize(encoderSize)
                .inChannels(inChannels)
                .ndf(ndf)
                .nRkhs(nRkhs)
                .nDepth(nDepth)
                .useBn(useBn);
    }

    /**
     * The published CIFAR-10 configuration (amdim-public train.py defaults): ndf 128, n_rkhs 1024,
     * n_depth 3, use_bn off, 32x32 RGB; 20.0 M parameters.
     */
    public static AmdimConfig publishedCifar() {
        return builder().build();
    }

    /**
     * The small configuration that trains in minutes on 2 CPU cores: ndf 32, n_rkhs 256, n_depth 1,
     * 32x32, for Fashion-MNIST (1 channel, padded to 32x32 by the data pipeline). 1.04 M parameters
     * against 20.0 M for {@link #publishedCifar()}; at batch 64 one forward+backward took about 0.2 s
     * here against about 1.9 s (engine-bench EncoderTiming, 2 shared cores).
     */
    public static AmdimConfig small(int inChannels) {
        return builder().inChannels(inChannels).ndf(32).nRkhs(256).nDepth(1).build();
    }

    /** Input height and width: 32, 64 or 128. */
    public int encoderSize() {
        return encoderSize;
    }

    /** Image channels: 1 (Fashion-MNIST) or 3. */
    public int inChannels() {
        return inChannels;
    }

    /** Base width; the 7x7 stage has ndf*4 channels at 32 and ndf*8 at 64 and 128. */
    public int ndf() {
        return ndf;
    }

    /** Width of the r1, r5, r7 embeddings. */
    public int nRkhs() {
        return nRkhs;
    }

    /** ConvResNxN layers per ConvResBlock. */
    public int nDepth() {
        return nDepth;
    }

    /**
     * Batch norm inside the residual blocks (amdim's use_bn; the taps' output batch norms are always
     * on).
     */
    public boolean useBn() {
        return useBn;
    }

    /** Channels of the 7x7, 5x5 and 3x3 stages. */
    public int topWidth() {
        return topWidth(encoderSize, ndf);
    }

    private static int topWidth(int encoderSize, int ndf) {
        return encoderSize == 32 ? ndf * 4 : ndf * 8;
    }

    public AmdimConfig withUseBn(boolean on) {
        return toBuilder().useBn(on).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AmdimConfig c
                && encoderSize == c.encoderSize
                && inChannels == c.inChannels
                && ndf == c.ndf
                && nRkhs == c.nRkhs
                && nDepth == c.nDepth
                && useBn == c.useBn;
    }

    @Override
    public int hashCode() {
        return Objects.hash(encoderSize, inChannels, ndf, nRkhs, nDepth, useBn);
    }

    @Override
    public String toString() {
        return "AmdimConfig[encoderSize="
                + encoderSize
                + ", inChannels="
                + inChannels
                + ", ndf="
                + ndf
                + ", nRkhs="
                + nRkhs
                + ", nDepth="
                + nDepth
                + ", useBn="
                + useBn
                + "]";
    }

    /**
     * Collects the settings, each checked as it is set; {@link #build()} checks {@code nRkhs} against
     * the width the others give the 7x7 stage.
     */
    @JsonPOJOBuilder(withPrefix = "")
    public static final class Builder {
        private int encoderSize = 32;
        private int inChannels = 3;
        private int ndf = 128;
        private int nRkhs = 1024;
        private int nDepth = 3;
        private boolean useBn;

        private Builder() {}

        /** Input height and width: 32, 64 or 128. */
        public Builder encoderSize(int size) {
            if (!SIZES.contains(size)) {
                throw new IllegalArgumentException("amdim.encoderSize must be 32, 64 or 128, got " + size);
            }
            this.encoderSize = size;
            return this;
        }

        /** Image channels: 1 or 3. */
        public Builder inChannels(int channels) {
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException("amdim.inChannels must be 1 or 3, got " + channels);
            }
            this.inChannels = channels;
            return this;
        }

        /** Base width, in [1, 4096]. */
        public Builder ndf(int width) {
            if (width < 1 || width > 4096) {
                throw new IllegalArgumentException("amdim.ndf must be in [1, 4096], got " + width);
            }
            this.ndf = width;
            return this;
        }

        /**
         * Width of the embeddings, in [1, 65536] and at least the 7x7 stage width (amdim's ConvResNxN
         * asserts n_out >= n_in), which {@link #build()} checks once ndf and the size are known.
         */
        public Builder nRkhs(int width) {
            if (width < 1 || width > 65536) {
                throw new IllegalArgumentException("amdim.nRkhs must be in [1, 65536], got " + width);
            }
            this.nRkhs = width;
            return this;
        }

        /** ConvResNxN layers per ConvResBlock, in [1, 64]. */
        public Builder nDepth(int depth) {
            if (depth < 1 || depth > 64) {
                throw new IllegalArgumentException("amdim.nDepth must be in [1, 64], got " + depth);
            }
            this.nDepth = depth;
            return this;
        }

        /** Batch norm inside the residual blocks; off in the published configuration. */
        public Builder useBn(boolean on) {
            this.useBn = on;
            return this;
        }

        public AmdimConfig build() {
            int top = topWidth(encoderSize, ndf);
            if (nRkhs < top || nRkhs > 65536) {
                throw new IllegalArgumentException("amdim.nRkhs must be in ["
                        + top
                        + ", 65536] (at least the 7x7 stage width ndf*"
                        + (top / ndf)
                        + "), got "
                        + nRkhs);
            }
            return new AmdimConfig(this);
        }
    }
}
