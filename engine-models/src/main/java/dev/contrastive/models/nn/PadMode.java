package dev.contrastive.models.nn;

/** How a convolution pads its input. */
public enum PadMode {
    /** Zeros, done inside the conv2d op. */
    ZEROS,
    /** torch's 'reflect' (edge not repeated), done before the op; amdim's 128x128 stem uses it. */
    REFLECT
}
