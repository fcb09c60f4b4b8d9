/**
 * Datasets: the {@link dev.contrastive.augment.data.Dataset} abstraction and readers of real
 * formats, each with random access ({@code get}) and a sequential stream for files bigger than
 * memory.
 *
 * <ul>
 *   <li>{@link dev.contrastive.augment.data.IdxDataset}: MNIST / Fashion-MNIST IDX, raw, gzip or
 *       xz;
 *   <li>{@link dev.contrastive.augment.data.CifarDataset}: CIFAR-10 and CIFAR-100 binary;
 *   <li>{@link dev.contrastive.augment.data.Stl10Dataset}: STL-10 binary, with the unlabeled split;
 *   <li>{@link dev.contrastive.augment.data.Hdf5Dataset} and {@link
 *       dev.contrastive.augment.data.Hdf5Writer}: uint8 N x C x H x W images (+ labels) in HDF5;
 *   <li>{@link dev.contrastive.augment.data.ImageFolderDataset}: PNG/JPEG, one subfolder per class;
 *   <li>{@link dev.contrastive.augment.data.InMemoryDataset}: arrays already in memory (a list of
 *       images, an ND4J array) or NumPy {@code .npy} files;
 *   <li>{@link dev.contrastive.augment.data.FashionMnist}: the subset shipped in the jar, or the
 *       full set where installed, each only by its own name;
 *   <li>{@link dev.contrastive.augment.data.Datasets}: opens what a command line names.
 * </ul>
 *
 * <p>A malformed file fails with one {@link dev.contrastive.augment.data.DatasetFormatException}
 * naming the file, the offset or field, and expected versus found, before any of its images is
 * returned.
 */
package dev.contrastive.augment.data;
