package dev.transflow.join;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.LabeledSample;

/**
 * Everything the label join keeps for one impression id, in one state entry so that each event costs one read and
 * at most one write. A Flink POJO: public fields, no-argument constructor.
 */
public final class JoinState {

    public static final int WAITING = -1;
    public static final int OPEN = 0;
    public static final int POSITIVE = 1;
    public static final int NEGATIVE = 2;

    /** The impression (slimmed to its ids once labeled), or null while only a click has arrived. */
    public LabeledSample impression;
    /** A click that arrived before its impression, or null. */
    public Click earlyClick;
    /** {@link #WAITING} (click without impression), {@link #OPEN}, {@link #POSITIVE} or {@link #NEGATIVE}. */
    public int status = WAITING;
    /** Event time at which the entry is removed, or 0 before it is known. */
    public long cleanupAt;

    public JoinState() {}
}
