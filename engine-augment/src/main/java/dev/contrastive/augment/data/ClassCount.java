package dev.contrastive.augment.data;

import java.util.Arrays;
import org.slf4j.Logger;

/** The class count of data that does not declare one: the largest label + 1, said at INFO. */
final class ClassCount {

    private ClassCount() {}

    /**
     * The largest of {@code labels} + 1, or 0 when there are none. Logged with the source and how
     * many distinct labels occur, so that a stray label (labels up to 77 make 78 classes) is seen
     * rather than silently widening every classifier trained on the set.
     *
     * @param labels class indices, each >= 0 (the reader has refused negative ones)
     */
    static int inferred(Logger log, String source, int[] labels) {
        if (labels.length == 0) {
            return 0;
        }
        int[] sorted = labels.clone();
        Arrays.sort(sorted);
        int distinct = 1;
        for (int i = 1; i < sorted.length; i++) {
            distinct += sorted[i] != sorted[i - 1] ? 1 : 0;
        }
        int largest = sorted[sorted.length - 1];
        log.info(
                "{}: {} classes inferred from the largest label, {} ({} distinct labels occur)",
                source,
                largest + 1,
                largest,
                distinct);
        return largest + 1;
    }
}
