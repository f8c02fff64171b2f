package dev.transflow.simulate;

import java.util.concurrent.locks.LockSupport;

/** Holds impressions back so that no more than {@code ratePerSecond} leave per second of wall-clock time. */
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

    @Override
    public void accept(SimulatedImpression impression) {
        if (count == 0) {
            start = System.nanoTime();
        }
        long due = start + (long) (count * nanosPerImpression);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
        count++;
        delegate.accept(impression);
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
