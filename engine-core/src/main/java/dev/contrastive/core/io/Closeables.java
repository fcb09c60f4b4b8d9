package dev.contrastive.core.io;

/**
 * Closes several resources in order as try-with-resources would: each is closed however the ones
 * before it failed, and the first failure is thrown with the later ones suppressed in it.
 */
public final class Closeables {

    private Closeables() {}

    /**
     * How one item is closed.
     *
     * @param <T> the item type
     * @param <X> the exception a failed close throws
     */
    @FunctionalInterface
    public interface Closer<T, X extends Exception> {

        /** Closes {@code item}. */
        void close(T item) throws X;
    }

    /**
     * Closes every item of {@code items}, in order, with {@code closer}. A close that fails with a
     * {@code failure} does not stop the rest: the first such failure is thrown once all are closed,
     * the later ones suppressed in it. Anything else (an unchecked exception where {@code failure} is
     * checked, an Error) is not a failure to close but a bug, and propagates at once, as from a plain
     * loop.
     *
     * @param failure the exception type a failed close throws, e.g. {@code IOException.class} or
     *     {@code RuntimeException.class}
     */
    public static <T, X extends Exception> void closeAll(
            Iterable<? extends T> items, Class<X> failure, Closer<? super T, ? extends X> closer) throws X {
        X first = null;
        for (T item : items) {
            try {
                closer.close(item);
            } catch (Exception e) {
                if (!failure.isInstance(e)) {
                    throw e;
                }
                if (first == null) {
                    first = failure.cast(e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
