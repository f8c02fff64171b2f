package dev.transflow.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Turns Ctrl-C (JVM shutdown) into a flag a long-running command polls, and holds the shutdown until the command
 * has flushed what it produced (at most 30 s), so no buffered event is lost.
 */
final class ShutdownSignal implements BooleanSupplier, AutoCloseable {

    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    ShutdownSignal(String name) {
        hook = new Thread(() -> {
            requested.set(true);
            try {
                finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** True once a shutdown was requested. */
    @Override
    public boolean getAsBoolean() {
        return requested.get();
    }

    /** The command is done: release a waiting shutdown, or drop the hook when none came. */
    @Override
    public void close() {
        finished.countDown();
        if (!requested.get()) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // The hook runs now and returns at once: the latch is open.
            }
        }
    }
}
