package dev.minima.monitor;

/** Receives each {@link SharpnessRecord} as soon as it is measured (a CSV file, DJL metrics, a user callback). */
@FunctionalInterface
public interface RecordSink extends AutoCloseable {

    /**
     * @param record the new record
     */
    void accept(SharpnessRecord record);

    /** Releases the sink's resources; the default does nothing. */
    @Override
    default void close() {}
}
