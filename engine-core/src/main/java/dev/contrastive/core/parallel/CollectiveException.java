package dev.contrastive.core.parallel;

/**
 * A collective operation could not complete: another replica failed (its index and cause are named)
 * or did not arrive within the group's timeout (the missing replicas are named).
 */
public final class CollectiveException extends RuntimeException {

    private final int failedReplica;

    public CollectiveException(String message, int failedReplica, Throwable cause) {
        super(message, cause);
        this.failedReplica = failedReplica;
    }

    /** The replica whose failure this reports, or -1 for a timeout. */
    public int failedReplica() {
        return failedReplica;
    }
}
