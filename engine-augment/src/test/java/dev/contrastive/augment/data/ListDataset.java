package dev.contrastive.augment.data;

import java.util.List;

/** Images held in a list, the source for writer tests. */
record ListDataset(DatasetInfo info, List<Image> images) implements Dataset {

  static ListDataset of(List<Image> images, int classes) {
    Image first = images.get(0);
    return new ListDataset(
        new DatasetInfo("list", images.size(), first.channels(), first.height(), first.width(),
            classes),
        images);
  }

  @Override
  public Image get(int index) {
    return images.get(index);
  }

  @Override
  public void close() {}
}
