package dev.transflow.simulate;

import java.util.concurrent.locks.LockSupport;

/**
 * Holds impressions back: either so that no more than {@code ratePerSecond} leave per second of wall-clock time, or
 * ({@link #atEventTime}) each until the wall clock reaches its event time.
 */
public final class PacedSink implements EventSink {

    private final EventSink delegate;
    private final double nanosPerImpression;
    private long start;
    private long count;

    public PacedSink(EventSink delegate, double ratePerSecond) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("The rate must be positive, got " + ratePerSecond);
        }
        this.delegate = delegate;
        this.nanosPerImpression = 1e9 / ratePerSecond;
    }

    private PacedSink(EventSink delegate) {
        this.delegate = delegate;
        this.nanosPerImpression = Double.NaN;
    }

    /**
     * Releases each impression when {@code System.currentTimeMillis()} reaches its event time, for a simulator whose
     * clock starts now. Pacing by count instead lets event time wander from the wall clock like a random walk
     * (about {@code sqrt(t / rate)} seconds after {@code t}), until records run ahead of the allowed future skew.
     */
    public static PacedSink atEventTime(EventSink delegate) {
        return new PacedSink(delegate);
    }

    @Override
    public void accept(SimulatedImpression impression) {
        if (count == 0) {
            start = System.nanoTime();
        }
        // parkNanos may return early: wait until the time has really come.
        for (long wait = waitNanos(impression); wait > 0; wait = waitNanos(impression)) {
            LockSupport.parkNanos(wait);
        }
        count++;
        delegate.accept(impression);
    }

    private long waitNanos(SimulatedImpression impression) {
        return Double.isNaN(nanosPerImpression) ? (impression.time() - System.currentTimeMillis()) * 1_000_000L
                : start + (long) (count * nanosPerImpression) - System.nanoTime();
    }

    @Override
    public void finish() {
        delegate.finish();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
