package dev.contrastive.augment.data;

/**
 * What a dataset holds.
 *
 * @param name where it came from (a file or folder), for messages and provenance
 * @param size number of images, >= 0
 * @param channels 1 or 3
 * @param height image height, >= 1
 * @param width image width, >= 1
 * @param classes number of classes, or 0 for an unlabeled set
 */
public record DatasetInfo(String name, int size, int channels, int height, int width, int classes) {

  public DatasetInfo {
    if (size < 0) {
      throw new IllegalArgumentException("dataset.size must be >= 0, got " + size);
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("dataset.channels must be 1 or 3, got " + channels);
    }
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "dataset.height and dataset.width must be >= 1, got " + height + " x " + width);
    }
    if (classes < 0) {
      throw new IllegalArgumentException("dataset.classes must be >= 0, got " + classes);
    }
  }

  public boolean labeled() {
    return classes > 0;
  }
}
