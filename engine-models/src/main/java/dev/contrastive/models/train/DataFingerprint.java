package dev.contrastive.models.train;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.DatasetInfo;
import dev.contrastive.augment.data.Image;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * What identifies a training set for a resume: its size, image shape and classes, and a SHA-256 of
 * its first {@value #SAMPLED} images and its last one (pixels and labels). Reading a handful of
 * records is enough to tell one data set from another, and costs milliseconds whatever the data's
 * size. A resume on other data would continue the run's data order over different images, which no
 * error would otherwise reveal.
 *
 * @param name the data set's name (what the user named; may differ between resumes of the same
 *     data)
 * @param shape size, channels x height x width and classes, as text
 * @param hash hex SHA-256 of the sampled records
 */
record DataFingerprint(String name, String shape, String hash) {

    static final int SAMPLED = 16;

    private static final String NAME = "data.name";
    private static final String SHAPE = "data.shape";
    private static final String HASH = "data.sha256";

    static DataFingerprint of(Dataset data) {
        DatasetInfo i = data.info();
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        int n = data.size();
        for (int k = 0; k < Math.min(SAMPLED, n); k++) {
            add(sha, data.get(k));
        }
        if (n > SAMPLED) {
            add(sha, data.get(n - 1));
        }
        String shape = i.size()
                + " images of "
                + i.channels()
                + " x "
                + i.height()
                + " x "
                + i.width()
                + ", "
                + i.classes()
                + " classes";
        return new DataFingerprint(i.name(), shape, HexFormat.of().formatHex(sha.digest()));
    }

    private static void add(MessageDigest sha, Image image) {
        sha.update(image.pixels());
        sha.update(ByteBuffer.allocate(4).putInt(image.label()).array());
    }

    /** The entries a checkpoint's metadata stores. */
    Map<String, String> metadata() {
        return Map.of(NAME, name, SHAPE, shape, HASH, hash);
    }

    /**
     * The fingerprint a checkpoint recorded, or null for a checkpoint written before fingerprints.
     */
    static DataFingerprint from(Map<String, String> metadata) {
        String hash = metadata.get(HASH);
        return hash == null ? null : new DataFingerprint(metadata.get(NAME), metadata.get(SHAPE), hash);
    }

    /** Whether {@code other} is the same data (the name may differ: a data set may move). */
    boolean sameData(DataFingerprint other) {
        return shape.equals(other.shape) && hash.equals(other.hash);
    }
}
