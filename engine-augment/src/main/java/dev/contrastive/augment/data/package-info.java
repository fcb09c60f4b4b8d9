/**
 * Datasets: the {@link dev.contrastive.augment.data.Dataset} abstraction and readers of real formats
 * (IDX, CIFAR-10/100 and STL-10 binary, HDF5, image folders), each with random access and streaming.
 */
package dev.contrastive.augment.data;
