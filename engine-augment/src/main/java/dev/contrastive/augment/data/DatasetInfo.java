package dev.contrastive.augment.data;

import java.util.Objects;

/**
 * What a dataset holds: where it came from, how many images of which shape, how many classes.
 *
 * <p>Made with {@link #builder()}, each setting named and validated where it is set; the name,
 * channels, height and width must be set, the size and classes are 0 unless set. Immutable.
 */
public final class DatasetInfo {

    private final String name;
    private final int size;
    private final int channels;
    private final int height;
    private final int width;
    private final int classes;

    private DatasetInfo(Builder b) {
        this.name = b.name;
        this.size = b.size;
        this.channels = b.channels;
        this.height = b.height;
        this.width = b.width;
        this.classes = b.classes;
    }

    /** An empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this description, to change some of it. */
    public Builder toBuilder() {
        return new Builder()
                .name(name)
                .size(size)
                .channels(channels)
                .height(height)
                .width(width)
                .classes(classes);
    }

    /** Where it came from (a file or folder), for messages and provenance. */
    public String name() {
        return name;
    }

    /** Number of images. */
    public int size() {
        return size;
    }

    /** Image channels: 1 or 3. */
    public int channels() {
        return channels;
    }

    /** Image height. */
    public int height() {
        return height;
    }

    /** Image width. */
    public int width() {
        return width;
    }

    /** Number of classes, or 0 for an unlabeled set. */
    public int classes() {
        return classes;
    }

    public boolean labeled() {
        return classes > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DatasetInfo d
                && name.equals(d.name)
                && size == d.size
                && channels == d.channels
                && height == d.height
                && width == d.width
                && classes == d.classes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, size, channels, height, width, classes);
    }

    @Override
    public String toString() {
        return "DatasetInfo[name="
                + name
                + ", size="
                + size
                + ", channels="
                + channels
                + ", height="
                + height
                + ", width="
                + width
                + ", classes="
                + classes
                + "]";
    }

    /** Collects the description, each setting checked as it is set. */
    public static final class Builder {
        private String name;
        private int size;
        private int channels;
        private int height;
        private int width;
        private int classes;

        private Builder() {}

        /** Where the data came from, not null. */
        public Builder name(String source) {
            this.name = Objects.requireNonNull(source, "dataset.name must not be null");
            return this;
        }

        /** Number of images, >= 0. */
        public Builder size(int images) {
            if (images < 0) {
                throw new IllegalArgumentException("dataset.size must be >= 0, got " + images);
            }
            this.size = images;
            return this;
        }

        /** Image channels, 1 or 3. */
        public Builder channels(int c) {
            this.channels = checkChannels(c);
            return this;
        }

        /** Image height, >= 1. */
        public Builder height(int h) {
            this.height = checkSide("height", h);
            return this;
        }

        /** Image width, >= 1. */
        public Builder width(int w) {
            this.width = checkSide("width", w);
            return this;
        }

        /** Number of classes, >= 0; 0 for an unlabeled set. */
        public Builder classes(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("dataset.classes must be >= 0, got " + n);
            }
            this.classes = n;
            return this;
        }

        /** The description; fails naming the first of name, channels, height, width not set. */
        public DatasetInfo build() {
            Objects.requireNonNull(name, "dataset.name must be set");
            checkChannels(channels);
            checkSide("height", height);
            checkSide("width", width);
            return new DatasetInfo(this);
        }

        private static int checkChannels(int c) {
            if (c != 1 && c != 3) {
                throw new IllegalArgumentException("dataset.channels must be 1 or 3, got " + c);
            }
            return c;
        }

        private static int checkSide(String field, int side) {
            if (side < 1) {
                throw new IllegalArgumentException("dataset." + field + " must be >= 1, got " + side);
            }
            return side;
        }
    }
}
