package dev.transflow.simulate;

import dev.transflow.schemas.EntityType;

/** One generated impression and its outcome; the generator reuses a single instance, sinks must copy. */
public final class SimulatedImpression {
    long sequence;
    EntityType entityType;
    long time;
    int user;
    int item;
    int position;
    double probability;
    boolean clicked;
    long clickTime;

    public long sequence() {
        return sequence;
    }

    public EntityType entityType() {
        return entityType;
    }

    /** Event time, epoch milliseconds. */
    public long time() {
        return time;
    }

    public int user() {
        return user;
    }

    public int item() {
        return item;
    }

    public int position() {
        return position;
    }

    /** The true click probability: what a perfect model would predict. */
    public double probability() {
        return probability;
    }

    public boolean clicked() {
        return clicked;
    }

    /** Event time of the click, when {@link #clicked()}. */
    public long clickTime() {
        return clickTime;
    }
}
