/**
 * CPC v2 (Hénaff et al., 2019): each image cut into a grid of overlapping patches, each patch
 * encoded, a masked context network over the grid predicting the rows below, and InfoNCE against
 * every patch of every image in the batch; method config, provider and registry name {@code cpc}.
 */
package dev.contrastive.models.method.cpc;
