package dev.contrastive.models.eval;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.DatasetInfo;
import dev.contrastive.augment.data.Image;

/**
 * Every {@code stride}-th image of a dataset, first {@code size} of them. The embedded
 * Fashion-MNIST subset is stored class by class, so a stride gives every class its share where a
 * prefix would hold only the first classes.
 */
final class Subset implements Dataset {

  private final Dataset base;
  private final int stride;
  private final DatasetInfo info;

  Subset(Dataset base, int stride, int size) {
    if (stride < 1 || (long) (size - 1) * stride >= base.size()) {
      throw new IllegalArgumentException("subset of " + size + " with stride " + stride
          + " does not fit " + base.size() + " images");
    }
    DatasetInfo b = base.info();
    this.base = base;
    this.stride = stride;
    this.info = new DatasetInfo(b.name() + " every " + stride + "th, " + size, size, b.channels(),
        b.height(), b.width(), b.classes());
  }

  @Override
  public DatasetInfo info() {
    return info;
  }

  @Override
  public Image get(int index) {
    return base.get(index * stride);
  }

  @Override
  public void close() {
    // The base dataset belongs to the caller.
  }
}
